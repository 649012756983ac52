package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/aiaudit/aiaudit/scanner/urls"
)

// batch is one work message: URLs of one host (Host "" for lines that hold
// no URL to fetch), vetted together under the host's lease.
type batch struct {
	ID    int         `json:"id"`
	Host  string      `json:"host"`
	Items []batchItem `json:"items"`
}

// batchItem is one line of the list: its URL, or why it has none.
type batchItem struct {
	URL string `json:"url"`
	Err string `json:"err,omitempty"`
}

func (it batchItem) item() urls.Item {
	if it.Err != "" {
		return urls.Item{URL: it.URL, Err: errors.New(it.Err)}
	}
	return urls.Item{URL: it.URL}
}

// maxPending caps the URLs held back while a host's batch fills: reached,
// every partial batch is sent, so memory stays bounded on lists of any
// number of hosts.
const maxPending = 200_000

// hostOf is the host a line's URL is fetched from ("" for none): the key of
// the fetcher's per-host politeness, so of the lease too.
func hostOf(it urls.Item) string {
	if it.Err != nil {
		return ""
	}
	u, _, err := urls.Origin(it.URL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// Submit creates job spec (an existing name is an error) and streams the
// items read sends into the work stream, grouped by host. The job is marked
// submitted, with its total, only when read returned no error. It returns
// the spec as stored.
func (c *Client) Submit(ctx context.Context, spec Spec, read func(chan<- urls.Item) error) (Spec, error) {
	if err := CheckName(spec.Name); err != nil {
		return spec, err
	}
	spec.Settings = spec.Settings.WithDefaults()
	spec.Created = time.Now().UTC()
	b, _ := json.Marshal(spec)
	rev, err := c.jobs.Create(ctx, spec.Name, b)
	if errors.Is(err, jetstream.ErrKeyExists) {
		old, _, _ := c.Spec(ctx, spec.Name)
		return spec, fmt.Errorf("job %q exists (submitted %s): choose another name, or remove it with: aiaudit job cancel %s --purge", spec.Name, old.Created.Format(time.RFC3339), spec.Name)
	}
	if err != nil {
		return spec, fmt.Errorf("creating job %q: %w", spec.Name, err)
	}
	if _, err := c.js.CreateOrUpdateConsumer(ctx, workStream, jetstream.ConsumerConfig{
		Durable: consumerName(spec.Name), FilterSubject: workSubject(spec.Name), AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: spec.Settings.AckWait, MaxAckPending: 10_000,
		// Unlimited: a worker counts the deliveries itself and
		// dead-letters what keeps crashing (worker.go).
		MaxDeliver: -1,
	}); err != nil {
		return spec, fmt.Errorf("job %q: creating its consumer: %w", spec.Name, err)
	}
	pending := map[string]*batch{}
	held := 0
	send := func(bt *batch) error {
		bt.ID = spec.Batches
		spec.Batches++
		spec.Total += len(bt.Items)
		body, _ := json.Marshal(bt)
		m := nats.NewMsg(workSubject(spec.Name))
		m.Data = body
		m.Header.Set(hdrCount, strconv.Itoa(len(bt.Items)))
		_, err := c.js.PublishMsg(ctx, m, jetstream.WithMsgID(fmt.Sprintf("%s/%d", spec.Name, bt.ID)))
		return err
	}
	flush := func() error {
		for h, bt := range pending {
			if err := send(bt); err != nil {
				return err
			}
			delete(pending, h)
		}
		held = 0
		return nil
	}
	items := make(chan urls.Item, 256)
	readErr := make(chan error, 1)
	// A failed publish returns with the reader blocked on items: the
	// command ends, and it with it.
	go func() {
		defer close(items)
		readErr <- read(items)
	}()
	for it := range items {
		h := hostOf(it)
		bt := pending[h]
		if bt == nil {
			bt = &batch{Host: h}
			pending[h] = bt
		}
		e := batchItem{URL: it.URL}
		if it.Err != nil {
			e.Err = it.Err.Error()
		}
		bt.Items = append(bt.Items, e)
		held++
		if len(bt.Items) >= spec.Settings.BatchSize {
			if err := send(bt); err != nil {
				return spec, submitFailed(spec, err)
			}
			delete(pending, h)
			held -= len(bt.Items)
		}
		if held >= maxPending {
			if err := flush(); err != nil {
				return spec, submitFailed(spec, err)
			}
		}
	}
	if err := flush(); err != nil {
		return spec, submitFailed(spec, err)
	}
	if err := <-readErr; err != nil {
		return spec, submitFailed(spec, err)
	}
	spec.Submitted = true
	b, _ = json.Marshal(spec)
	if _, err := c.jobs.Update(ctx, spec.Name, b, rev); err != nil {
		return spec, submitFailed(spec, err)
	}
	return spec, nil
}

func submitFailed(spec Spec, err error) error {
	return fmt.Errorf("job %q: only %d URLs were submitted (%w); workers vet them, but the job never completes: remove it with aiaudit job cancel %s --purge and submit again", spec.Name, spec.Total, err, spec.Name)
}
