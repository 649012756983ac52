package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Cancel stops a job: its queued work is removed and workers stop pulling
// it; batches in hand finish. With purge its results, dead letters, shared
// policy files and the job itself go too, and the name is free again.
func (c *Client) Cancel(ctx context.Context, job string, purge bool) error {
	spec, rev, err := c.Spec(ctx, job)
	if err != nil {
		return err
	}
	spec.Canceled = true
	b, _ := json.Marshal(spec)
	if _, err := c.jobs.Update(ctx, job, b, rev); err != nil {
		return fmt.Errorf("canceling job %q: %w", job, err)
	}
	if err := c.js.DeleteConsumer(ctx, workStream, consumerName(job)); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return fmt.Errorf("canceling job %q: %w", job, err)
	}
	if err := c.work.Purge(ctx, jetstream.WithPurgeSubject(workSubject(job))); err != nil {
		return fmt.Errorf("canceling job %q: removing its work: %w", job, err)
	}
	if !purge {
		return nil
	}
	if err := c.results.Purge(ctx, jetstream.WithPurgeSubject(resultSubject(job, ">"))); err != nil {
		return fmt.Errorf("purging job %q: %w", job, err)
	}
	if err := c.dead.Purge(ctx, jetstream.WithPurgeSubject(deadSubject(job, ">"))); err != nil {
		return fmt.Errorf("purging job %q: %w", job, err)
	}
	if keys, err := c.policy.ListKeysFiltered(ctx, job+".>"); err == nil {
		for k := range keys.Keys() {
			c.policy.Purge(ctx, k)
		}
	}
	return c.jobs.Purge(ctx, job)
}
