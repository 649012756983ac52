package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"iter"
	"sort"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/scanner/urls"
)

// Status is where a job stands. Done and DeadLettered count unique
// batches' URLs, so a batch vetted twice counts once.
type Status struct {
	Job       string    `json:"job"`
	Version   string    `json:"version"`
	Created   time.Time `json:"created"`
	Submitted bool      `json:"submitted"`
	Canceled  bool      `json:"canceled"`
	Finished  bool      `json:"finished"`
	Total     int       `json:"total"`
	Done      int       `json:"done"`
	InFlight  int       `json:"in_flight"`
	// Pending are submitted URLs neither done, in flight nor dead.
	Pending      int `json:"pending"`
	Errors       int `json:"errors"`
	DeadLettered int `json:"dead_lettered"`
	// Rate is URLs per second since the first result; ETASeconds the
	// time left at that rate (-1: unknown).
	Rate       float64        `json:"rate"`
	ETASeconds float64        `json:"eta_seconds"`
	Workers    []WorkerStatus `json:"workers"`
	// FirstResult and LastResult bound the job's work.
	FirstResult time.Time `json:"first_result,omitzero"`
	LastResult  time.Time `json:"last_result,omitzero"`
}

// WorkerStatus is one worker's part in a job.
type WorkerStatus struct {
	Name     string `json:"name"`
	Done     int    `json:"done"`
	InFlight int    `json:"in_flight"`
	// Alive: the worker refreshed its entry within the last seconds.
	Alive bool `json:"alive"`
}

// Status counts a job's results and dead letters (their headers only) and
// asks the live workers what they have in hand.
func (c *Client) Status(ctx context.Context, job string) (Status, error) {
	spec, _, err := c.Spec(ctx, job)
	if err != nil {
		return Status{}, err
	}
	st := Status{Job: job, Version: spec.Version, Created: spec.Created, Submitted: spec.Submitted, Canceled: spec.Canceled, Total: spec.Total, ETASeconds: -1}
	workers := map[string]*WorkerStatus{}
	worker := func(name string) *WorkerStatus {
		if workers[name] == nil {
			workers[name] = &WorkerStatus{Name: name}
		}
		return workers[name]
	}
	for m, err := range c.scan(ctx, resultsStream, resultSubject(job, "*"), true) {
		if err != nil {
			return Status{}, err
		}
		n, _ := strconv.Atoi(m.Headers().Get(hdrCount))
		e, _ := strconv.Atoi(m.Headers().Get(hdrErrors))
		st.Done += n
		st.Errors += e
		worker(m.Headers().Get(hdrWorker)).Done += n
		if meta, err := m.Metadata(); err == nil {
			if st.FirstResult.IsZero() || meta.Timestamp.Before(st.FirstResult) {
				st.FirstResult = meta.Timestamp
			}
			if meta.Timestamp.After(st.LastResult) {
				st.LastResult = meta.Timestamp
			}
		}
	}
	for m, err := range c.scan(ctx, deadStream, deadSubject(job, "*"), true) {
		if err != nil {
			return Status{}, err
		}
		n, _ := strconv.Atoi(m.Headers().Get(hdrCount))
		st.DeadLettered += n
	}
	if lister, err := c.workers.ListKeys(ctx); err == nil {
		for name := range lister.Keys() {
			e, err := c.workers.Get(ctx, name)
			if err != nil {
				continue
			}
			var we workerEntry
			if json.Unmarshal(e.Value(), &we) != nil {
				continue
			}
			if p := we.Jobs[job]; p != nil {
				w := worker(name)
				w.Alive, w.InFlight = true, p.InFlight
				st.InFlight += p.InFlight
			}
		}
	}
	for _, w := range workers {
		st.Workers = append(st.Workers, *w)
	}
	sort.Slice(st.Workers, func(i, j int) bool { return st.Workers[i].Name < st.Workers[j].Name })
	st.Pending = max(st.Total-st.Done-st.DeadLettered-st.InFlight, 0)
	st.Finished = spec.Submitted && st.Done+st.DeadLettered >= st.Total
	end := time.Now()
	if st.Finished {
		end = st.LastResult
	}
	if secs := end.Sub(st.FirstResult).Seconds(); st.Done > 0 && secs > 0 {
		st.Rate = float64(st.Done) / secs
		if spec.Submitted {
			st.ETASeconds = float64(st.Total-st.Done-st.DeadLettered) / st.Rate
		}
	}
	return st, nil
}

// scan reads the messages of a stream under filter in stream order,
// headers only if asked.
func (c *Client) scan(ctx context.Context, stream, filter string, headersOnly bool) iter.Seq2[jetstream.Msg, error] {
	return func(yield func(jetstream.Msg, error) bool) {
		cons, err := c.js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{filter}, HeadersOnly: headersOnly,
			InactiveThreshold: time.Minute})
		if err != nil {
			yield(nil, err)
			return
		}
		// Removed at once: status --watch makes one per update.
		defer func() {
			dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			c.js.DeleteConsumer(dctx, stream, cons.CachedInfo().Name)
		}()
		info, err := cons.Info(ctx)
		if err != nil {
			yield(nil, err)
			return
		}
		left := info.NumPending
		for left > 0 {
			msgs, err := cons.Fetch(int(min(left, 500)), jetstream.FetchMaxWait(5*time.Second))
			if err != nil {
				yield(nil, err)
				return
			}
			got := uint64(0)
			for m := range msgs.Messages() {
				got++
				if !yield(m, nil) {
					return
				}
			}
			if msgs.Error() != nil && !errors.Is(msgs.Error(), jetstream.ErrNoMessages) {
				yield(nil, msgs.Error())
				return
			}
			if got == 0 {
				yield(nil, errors.New("the stream stopped answering"))
				return
			}
			left -= got
		}
	}
}

// Results yields every result of a job: each batch once, and the lines
// that were dead-lettered as results with their error (unknown, never
// allowed), so every line of the list has exactly one.
func (c *Client) Results(ctx context.Context, job string) iter.Seq2[urls.Result, error] {
	return func(yield func(urls.Result, error) bool) {
		for m, err := range c.scan(ctx, resultsStream, resultSubject(job, "*"), false) {
			if err != nil {
				yield(urls.Result{}, err)
				return
			}
			dec := json.NewDecoder(bytes.NewReader(m.Data()))
			for dec.More() {
				var r urls.Result
				if err := dec.Decode(&r); err != nil {
					yield(urls.Result{}, err)
					return
				}
				if !yield(r, nil) {
					return
				}
			}
		}
		for m, err := range c.scan(ctx, deadStream, deadSubject(job, "*"), false) {
			if err != nil {
				yield(urls.Result{}, err)
				return
			}
			var dead []deadURL
			if err := json.Unmarshal(m.Data(), &dead); err != nil {
				yield(urls.Result{}, err)
				return
			}
			for _, d := range dead {
				if !yield(urls.Result{Location: model.StripUserinfo(d.URL), Error: "dead-lettered: " + d.Reason}, nil) {
					return
				}
			}
		}
	}
}
