package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/aiaudit/aiaudit/scanner/urls"
)

// WorkerOptions configure a worker.
type WorkerOptions struct {
	// Name identifies the worker in status and leases (WorkerName).
	Name    string
	Version string
	// Batches is how many batches (so hosts) are vetted at once.
	Batches int
	// UserAgent replaces the jobs' User-Agent ("" keeps theirs).
	UserAgent string
	// Job limits the worker to one job ("": every job of this version).
	Job string
	// Log receives what the person running the worker should know.
	Log func(format string, args ...any)
	// vet is how one line is vetted (tests make a line crash).
	vet func(ctx context.Context, v *urls.Vetter, it urls.Item) urls.Result
}

// Worker pulls batches of every job of its version, vets them with
// scanner/urls, stores the results, and only then acknowledges them.
type Worker struct {
	c   *Client
	opt WorkerOptions
	// inHand bounds the batches taken from NATS; slots the ones being
	// vetted (a batch waiting for its host's lease gives its slot up).
	inHand, slots chan struct{}
	// batches are the batches being vetted; pullers the job loops.
	batches, pullers sync.WaitGroup
	mu               sync.Mutex
	started          time.Time
	jobs             map[string]bool // jobs pulled from, or refused
	progress         map[string]*jobProgress
}

type jobProgress struct {
	InFlight int `json:"in_flight"`
	Done     int `json:"done"`
}

// workerEntry is a worker's line in the workers bucket.
type workerEntry struct {
	Name    string                  `json:"name"`
	Version string                  `json:"version"`
	Started time.Time               `json:"started"`
	Jobs    map[string]*jobProgress `json:"jobs"`
}

// jobRun is what a worker keeps per job it pulls from.
type jobRun struct {
	spec   Spec
	vetter *urls.Vetter
	cons   jetstream.Consumer
	leases *leases
}

// NewWorker readies a worker on c.
func NewWorker(c *Client, opt WorkerOptions) *Worker {
	if opt.Name == "" {
		opt.Name = WorkerName()
	}
	if opt.Batches <= 0 {
		opt.Batches = 32
	}
	if opt.Log == nil {
		opt.Log = func(string, ...any) {}
	}
	if opt.vet == nil {
		opt.vet = func(ctx context.Context, v *urls.Vetter, it urls.Item) urls.Result { return v.VetItem(ctx, it) }
	}
	return &Worker{c: c, opt: opt, inHand: make(chan struct{}, 4*opt.Batches), slots: make(chan struct{}, opt.Batches), jobs: map[string]bool{}, progress: map[string]*jobProgress{}}
}

// Run works until ctx ends, then drains: it takes no new batch, finishes
// the ones in hand (their results stored and acknowledged) and returns.
// With WorkerOptions.Job, a job of another version is refused with an error.
func (w *Worker) Run(ctx context.Context) error {
	w.started = time.Now().UTC()
	if w.opt.Job != "" {
		spec, _, err := w.c.Spec(ctx, w.opt.Job)
		if err != nil {
			return err
		}
		if err := spec.CheckVersion(w.opt.Version); err != nil {
			return err
		}
	}
	beat := make(chan struct{})
	go w.heartbeat(beat)
	for {
		w.discover(ctx)
		sleep(ctx, time.Second)
		if ctx.Err() != nil {
			break
		}
	}
	w.pullers.Wait()
	w.batches.Wait()
	close(beat)
	dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	w.c.workers.Delete(dctx, w.opt.Name)
	return nil
}

// discover starts pulling from jobs it has not seen yet.
func (w *Worker) discover(ctx context.Context) {
	names := []string{w.opt.Job}
	if w.opt.Job == "" {
		lister, err := w.c.jobs.ListKeys(ctx)
		if err != nil {
			return // NATS away: try again next round
		}
		names = names[:0]
		for k := range lister.Keys() {
			names = append(names, k)
		}
	}
	for _, name := range names {
		if w.jobs[name] {
			continue
		}
		spec, _, err := w.c.Spec(ctx, name)
		if err != nil || spec.Canceled {
			continue
		}
		w.jobs[name] = true
		if err := spec.CheckVersion(w.opt.Version); err != nil {
			w.opt.Log("not taking work of job %s: %v", name, err)
			continue
		}
		jr, err := w.open(ctx, spec)
		if err != nil {
			w.opt.Log("job %s: %v", name, err)
			delete(w.jobs, name) // try again next round
			continue
		}
		w.opt.Log("pulling work of job %s", name)
		w.pullers.Go(func() { w.pull(ctx, jr) })
	}
}

func (w *Worker) open(ctx context.Context, spec Spec) (*jobRun, error) {
	vo, err := spec.Settings.VetOptions()
	if err != nil {
		return nil, err
	}
	if w.opt.UserAgent != "" {
		vo.Fetch.UserAgent = w.opt.UserAgent
	}
	vo.Policies = policyStore{kv: w.c.policy, job: spec.Name}
	cons, err := w.c.js.Consumer(ctx, workStream, consumerName(spec.Name))
	if err != nil {
		return nil, fmt.Errorf("its work consumer: %w", err)
	}
	return &jobRun{spec: spec, vetter: urls.NewVetter(vo), cons: cons,
		leases: &leases{kv: w.c.leases, me: w.opt.Name, ttl: spec.Settings.LeaseTTL}}, nil
}

// pull fetches one batch at a time, while fewer than inHand are in hand,
// until ctx ends or the job's consumer is gone (the job was canceled).
func (w *Worker) pull(ctx context.Context, jr *jobRun) {
	for {
		select {
		case w.inHand <- struct{}{}:
		case <-ctx.Done():
			return
		}
		msgs, err := jr.cons.Fetch(1, jetstream.FetchMaxWait(time.Second))
		if errors.Is(err, jetstream.ErrConsumerNotFound) || errors.Is(err, jetstream.ErrConsumerDeleted) {
			<-w.inHand
			w.opt.Log("job %s: its work is gone (canceled)", jr.spec.Name)
			return
		}
		got := false
		if err == nil {
			for m := range msgs.Messages() {
				got = true
				w.batches.Go(func() {
					defer func() { <-w.inHand }()
					w.process(ctx, jr, m)
				})
			}
		}
		if !got {
			<-w.inHand
			if err != nil {
				sleep(ctx, 250*time.Millisecond)
			}
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// deadURL is a line whose vetting crashed on every try.
type deadURL struct {
	URL    string `json:"url"`
	Reason string `json:"reason"`
}

// process vets one batch. Its results are stored before it is
// acknowledged: killed at any point, the batch is delivered again and
// nothing is lost; vetted twice, its results subject holds it once.
func (w *Worker) process(ctx context.Context, jr *jobRun, m jetstream.Msg) {
	set := jr.spec.Settings
	meta, err := m.Metadata()
	if err != nil {
		return
	}
	var b batch
	if err := json.Unmarshal(m.Data(), &b); err != nil {
		w.opt.Log("job %s: unreadable batch (stream sequence %d) acknowledged and dropped: %v", jr.spec.Name, meta.Sequence.Stream, err)
		m.Term()
		return
	}
	// Delivered after its last allowed try: the worker vetting it died
	// every time (a crash recover cannot catch), so all of it goes.
	if meta.NumDelivered > uint64(set.MaxDeliver) {
		dead := make([]deadURL, len(b.Items))
		for i, it := range b.Items {
			dead[i] = deadURL{URL: it.URL, Reason: fmt.Sprintf("the worker vetting its batch died %d times", set.MaxDeliver)}
		}
		if w.store(jr, m, b, nil, dead) {
			w.ack(m)
		}
		return
	}
	w.track(jr.spec.Name, len(b.Items), 0)
	defer w.track(jr.spec.Name, -len(b.Items), 0)
	stop := every(set.AckWait/3, func() { m.InProgress() })
	defer stop()
	// Draining finishes the batch: its fetches are not cut by ctx, only by
	// losing the host's lease.
	vctx := context.WithoutCancel(ctx)
	w.slots <- struct{}{}
	defer func() { <-w.slots }()
	var held *heldLease
	if b.Host != "" {
		// While another batch holds the host, this one lets a batch of
		// another host have its slot.
		slot := true
		held, err = jr.leases.acquire(vctx, b.Host, set.Delay, func() {
			if slot {
				<-w.slots
				slot = false
			}
		})
		if !slot {
			w.slots <- struct{}{}
		}
		if err != nil {
			return
		}
		vctx = held.ctx
	}
	final := meta.NumDelivered == uint64(set.MaxDeliver)
	results, dead, crashed := w.vetBatch(vctx, jr, b, final)
	lost := vctx.Err() != nil
	if held != nil {
		held.release()
	}
	switch {
	case lost:
		w.opt.Log("job %s: lease of %s lost mid-batch; the batch goes back", jr.spec.Name, b.Host)
		m.Nak()
	case crashed != "":
		w.opt.Log("job %s: vetting crashed (try %d of %d): %s", jr.spec.Name, meta.NumDelivered, set.MaxDeliver, crashed)
		m.NakWithDelay(time.Second)
	case w.store(jr, m, b, results, dead):
		w.ack(m)
		w.track(jr.spec.Name, 0, len(b.Items))
	}
}

// vetBatch vets a batch's lines, HostConcurrency at a time (they are one
// host's). A line whose vetting panics is dead on the final try; before,
// the batch is retried (crashed says why).
func (w *Worker) vetBatch(ctx context.Context, jr *jobRun, b batch, final bool) (results []urls.Result, dead []deadURL, crashed string) {
	out := make([]urls.Result, len(b.Items))
	panics := make([]string, len(b.Items))
	sem := make(chan struct{}, max(jr.spec.Settings.HostConcurrency, 1))
	var wg sync.WaitGroup
	for i, it := range b.Items {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			defer func() {
				if r := recover(); r != nil {
					panics[i] = fmt.Sprint(r)
				}
			}()
			out[i] = w.opt.vet(ctx, jr.vetter, it.item())
		})
	}
	wg.Wait()
	for i, p := range panics {
		switch {
		case p == "":
			results = append(results, out[i])
		case final:
			dead = append(dead, deadURL{URL: b.Items[i].URL, Reason: "vetting crashed on every try: " + p})
		case crashed == "":
			crashed = b.Items[i].URL + ": " + p
		}
	}
	return results, dead, crashed
}

// store writes a batch's results and dead lines, retrying while NATS is
// away for up to the batch's ack wait (then it is delivered again anyway).
func (w *Worker) store(jr *jobRun, m jetstream.Msg, b batch, results []urls.Result, dead []deadURL) bool {
	job := jr.spec.Name
	id := fmt.Sprintf("%s/%d", job, b.ID)
	var msgs []*nats.Msg
	if len(results) > 0 || len(dead) == 0 {
		var body bytes.Buffer
		enc := json.NewEncoder(&body)
		errs := 0
		for _, r := range results {
			enc.Encode(r)
			if r.Error != "" {
				errs++
			}
		}
		rm := nats.NewMsg(resultSubject(job, strconv.Itoa(b.ID)))
		rm.Data = body.Bytes()
		rm.Header.Set(hdrCount, strconv.Itoa(len(results)))
		rm.Header.Set(hdrErrors, strconv.Itoa(errs))
		rm.Header.Set(hdrWorker, w.opt.Name)
		msgs = append(msgs, rm)
	}
	if len(dead) > 0 {
		dm := nats.NewMsg(deadSubject(job, strconv.Itoa(b.ID)))
		dm.Data, _ = json.Marshal(dead)
		dm.Header.Set(hdrCount, strconv.Itoa(len(dead)))
		dm.Header.Set(hdrWorker, w.opt.Name)
		msgs = append(msgs, dm)
	}
	deadline := time.Now().Add(jr.spec.Settings.AckWait)
	for _, msg := range msgs {
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, err := w.c.js.PublishMsg(ctx, msg, jetstream.WithMsgID(id))
			cancel()
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				w.opt.Log("job %s: results of batch %d not stored (%v); it will be vetted again", job, b.ID, err)
				return false
			}
			m.InProgress()
			time.Sleep(250 * time.Millisecond)
		}
	}
	return true
}

// ack acknowledges a stored batch, waiting for the server's word; not
// confirmed, the batch comes again and its results are stored once.
func (w *Worker) ack(m jetstream.Msg) {
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := m.DoubleAck(ctx)
		cancel()
		if err == nil {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func (w *Worker) track(job string, inFlight, done int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.progress[job]
	if p == nil {
		p = &jobProgress{}
		w.progress[job] = p
	}
	p.InFlight += inFlight
	p.Done += done
}

// heartbeat keeps the worker's entry in the workers bucket fresh (it
// vanishes workerTTL after the worker stops).
func (w *Worker) heartbeat(stop chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		w.mu.Lock()
		b, _ := json.Marshal(workerEntry{Name: w.opt.Name, Version: w.opt.Version, Started: w.started, Jobs: w.progress})
		w.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		w.c.workers.Put(ctx, w.opt.Name, b)
		cancel()
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

// every calls f every d until the returned stop is called.
func every(d time.Duration, f func()) (stop func()) {
	done := make(chan struct{})
	t := time.NewTicker(max(d, 100*time.Millisecond))
	go func() {
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				f()
			}
		}
	}()
	return func() { close(done) }
}
