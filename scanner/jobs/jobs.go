// Package jobs spreads the vetting of a URL list over any number of worker
// processes with NATS JetStream: a durable work stream of per-host batches,
// a results stream written before each batch is acknowledged, a dead-letter
// stream, and key-value buckets for the jobs, the workers, the shared site
// policy files and the per-host leases that keep politeness cluster-wide.
// The vetting itself is scanner/urls', unchanged.
package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/aiaudit/aiaudit/detectors/agents"
	"github.com/aiaudit/aiaudit/scanner/urls"
)

// The streams and buckets, shared by every job on one NATS cluster.
const (
	workStream    = "AIAUDIT_WORK"    // aiaudit.work.JOB: batches of one host's URLs (work queue)
	resultsStream = "AIAUDIT_RESULTS" // aiaudit.results.JOB.BATCH: a batch's results, one per subject
	deadStream    = "AIAUDIT_DEAD"    // aiaudit.dead.JOB.BATCH: URLs whose vetting kept crashing
	jobsBucket    = "aiaudit_jobs"    // JOB: its Spec
	workersBucket = "aiaudit_workers" // WORKER: what it is doing, vanishes when it stops refreshing
	policyBucket  = "aiaudit_policy"  // JOB.ORIGINHASH: fetched policy files, once per host per job
	leasesBucket  = "aiaudit_leases"  // HOSTHASH: which worker may fetch the host, and its last fetch
)

// Header names of work, result and dead-letter messages.
const (
	hdrCount  = "Aiaudit-Count"  // URLs in the message
	hdrErrors = "Aiaudit-Errors" // results with an error
	hdrWorker = "Aiaudit-Worker" // who vetted it
)

// workerTTL is how long a worker's entry outlives its last refresh.
const workerTTL = 10 * time.Second

func workSubject(job string) string  { return "aiaudit.work." + job }
func consumerName(job string) string { return "job_" + job }

// resultSubject and deadSubject hold one batch each (batch "*": all).
func resultSubject(job, batch string) string { return "aiaudit.results." + job + "." + batch }
func deadSubject(job, batch string) string   { return "aiaudit.dead." + job + "." + batch }

// hashKey names a host or origin in a bucket (keys cannot hold ':').
func hashKey(s string) string {
	h := sha256.Sum256([]byte(strings.ToLower(s)))
	return hex.EncodeToString(h[:16])
}

var jobName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// CheckName reports a job name that cannot name subjects and keys.
func CheckName(name string) error {
	if !jobName.MatchString(name) {
		return fmt.Errorf("job name %q: use 1-64 letters, digits, '-' or '_'", name)
	}
	return nil
}

// Settings are how a job's URLs are vetted and paced: stored with the job,
// so every worker vets them alike.
type Settings struct {
	Agents []string `json:"agents,omitempty"`
	// ExtraAgents is the text of --agents-file (workers do not have it).
	ExtraAgents     string        `json:"extra_agents,omitempty"`
	Check           urls.Depth    `json:"check"`
	Strict          bool          `json:"strict,omitempty"`
	Delay           time.Duration `json:"delay"`
	Timeout         time.Duration `json:"timeout"`
	Retries         int           `json:"retries"`
	HostConcurrency int           `json:"host_concurrency"`
	UserAgent       string        `json:"user_agent"`
	AllowPrivate    bool          `json:"allow_private,omitempty"`
	// BatchSize is how many URLs of one host travel in one message.
	BatchSize int `json:"batch_size"`
	// AckWait is how long a batch may go without word from its worker
	// before it is handed to another; LeaseTTL the same for a host lease.
	AckWait  time.Duration `json:"ack_wait"`
	LeaseTTL time.Duration `json:"lease_ttl"`
	// MaxDeliver is how many times a batch is tried before the URLs whose
	// vetting crashes are dead-lettered.
	MaxDeliver int `json:"max_deliver"`
}

// WithDefaults fills what was left zero.
func (s Settings) WithDefaults() Settings {
	if s.Check == "" {
		s.Check = urls.Headers
	}
	if s.BatchSize <= 0 {
		s.BatchSize = 100
	}
	if s.AckWait <= 0 {
		s.AckWait = time.Minute
	}
	if s.LeaseTTL <= 0 {
		s.LeaseTTL = 30 * time.Second
	}
	if s.MaxDeliver <= 0 {
		s.MaxDeliver = 5
	}
	return s
}

// VetOptions are the vetter options the settings stand for.
func (s Settings) VetOptions() (urls.Options, error) {
	list := agents.Default()
	if s.ExtraAgents != "" {
		extra, err := agents.Parse([]byte(s.ExtraAgents))
		if err != nil {
			return urls.Options{}, fmt.Errorf("the job's extra agents: %w", err)
		}
		if list, err = list.Extend(extra.All()); err != nil {
			return urls.Options{}, fmt.Errorf("the job's extra agents: %w", err)
		}
	}
	return urls.Options{Depth: s.Check, Agents: s.Agents, List: list, Strict: s.Strict, Fetch: urls.FetchOptions{
		UserAgent: s.UserAgent, Timeout: s.Timeout, Retries: s.Retries, HostConcurrency: s.HostConcurrency,
		HostDelay: s.Delay, AllowPrivate: s.AllowPrivate,
	}}, nil
}

// Spec is a job as stored in the jobs bucket.
type Spec struct {
	Name     string    `json:"name"`
	Version  string    `json:"version"` // the aiaudit that submitted it; workers must match
	Created  time.Time `json:"created"`
	Settings Settings  `json:"settings"`
	// Submitted is set once the whole list is in the work stream, with its
	// Total (URLs) and Batches.
	Submitted bool `json:"submitted"`
	Total     int  `json:"total"`
	Batches   int  `json:"batches"`
	Canceled  bool `json:"canceled,omitempty"`
}

// ErrVersion is wrapped by the refusal of a worker of another version.
var ErrVersion = errors.New("aiaudit version mismatch")

// CheckVersion refuses a job submitted by another aiaudit version: its
// workers might vet differently, and the results must be one run's.
func (s Spec) CheckVersion(mine string) error {
	if s.Version != mine {
		return fmt.Errorf("%w: job %q was submitted by aiaudit %s and this worker is aiaudit %s; run workers of version %s for it", ErrVersion, s.Name, s.Version, mine, s.Version)
	}
	return nil
}

// Client is a connection to the NATS cluster with the job streams and
// buckets in place.
type Client struct {
	nc                            *nats.Conn
	js                            jetstream.JetStream
	jobs, workers, policy, leases jetstream.KeyValue
	work, results, dead           jetstream.Stream
}

// Connect connects to NATS at url and creates the streams and buckets that
// are missing. name names the connection in the server's monitoring.
func Connect(ctx context.Context, url, name string) (*Client, error) {
	nc, err := nats.Connect(url, nats.Name(name), nats.MaxReconnects(-1), nats.ReconnectWait(250*time.Millisecond))
	if err != nil {
		return nil, fmt.Errorf("cannot reach NATS at %s: %w (start one with: aiaudit queue serve --store DIR)", url, err)
	}
	c := &Client{nc: nc}
	if err := c.setup(ctx); err != nil {
		nc.Close()
		return nil, fmt.Errorf("NATS at %s: %w (is JetStream enabled?)", url, err)
	}
	return c, nil
}

func (c *Client) setup(ctx context.Context) error {
	var err error
	if c.js, err = jetstream.New(c.nc); err != nil {
		return err
	}
	// On a cluster every stream and bucket is kept on up to three nodes,
	// so a node lost loses no work; the servers known are those given and
	// those the cluster announced.
	replicas := min(max(len(c.nc.Servers()), 1), 3)
	streams := []struct {
		to  *jetstream.Stream
		cfg jetstream.StreamConfig
	}{
		{&c.work, jetstream.StreamConfig{Name: workStream, Subjects: []string{"aiaudit.work.>"}, Retention: jetstream.WorkQueuePolicy,
			Storage: jetstream.FileStorage, Duplicates: 10 * time.Minute}},
		// One message per batch subject: a batch vetted twice (its worker
		// was killed after storing and before acknowledging) is stored once.
		{&c.results, jetstream.StreamConfig{Name: resultsStream, Subjects: []string{"aiaudit.results.>"}, Storage: jetstream.FileStorage,
			MaxMsgsPerSubject: 1, Duplicates: 10 * time.Minute}},
		{&c.dead, jetstream.StreamConfig{Name: deadStream, Subjects: []string{"aiaudit.dead.>"}, Storage: jetstream.FileStorage,
			MaxMsgsPerSubject: 1, Duplicates: 10 * time.Minute}},
	}
	for _, s := range streams {
		s.cfg.Replicas = replicas
		if *s.to, err = c.js.CreateOrUpdateStream(ctx, s.cfg); err != nil {
			return fmt.Errorf("stream %s: %w", s.cfg.Name, err)
		}
	}
	buckets := []struct {
		to  *jetstream.KeyValue
		cfg jetstream.KeyValueConfig
	}{
		{&c.jobs, jetstream.KeyValueConfig{Bucket: jobsBucket, Storage: jetstream.FileStorage}},
		{&c.workers, jetstream.KeyValueConfig{Bucket: workersBucket, TTL: workerTTL, Storage: jetstream.FileStorage}},
		// Policy files are good for 24 hours at most (RFC 9309 §2.4).
		{&c.policy, jetstream.KeyValueConfig{Bucket: policyBucket, TTL: 24 * time.Hour, Storage: jetstream.FileStorage}},
		{&c.leases, jetstream.KeyValueConfig{Bucket: leasesBucket, TTL: 24 * time.Hour, Storage: jetstream.FileStorage}},
	}
	for _, b := range buckets {
		b.cfg.Replicas = replicas
		if *b.to, err = c.js.CreateOrUpdateKeyValue(ctx, b.cfg); err != nil {
			return fmt.Errorf("bucket %s: %w", b.cfg.Bucket, err)
		}
	}
	return nil
}

// Close drains the connection: what was published is sent.
func (c *Client) Close() { c.nc.Drain() }

// Spec reads a job.
func (c *Client) Spec(ctx context.Context, name string) (Spec, uint64, error) {
	e, err := c.jobs.Get(ctx, name)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Spec{}, 0, fmt.Errorf("no job %q on this NATS cluster", name)
	}
	if err != nil {
		return Spec{}, 0, fmt.Errorf("reading job %q: %w", name, err)
	}
	var s Spec
	if err := json.Unmarshal(e.Value(), &s); err != nil {
		return Spec{}, 0, fmt.Errorf("job %q: %w", name, err)
	}
	return s, e.Revision(), nil
}

// WorkerName is the default name of a worker: host and process.
func WorkerName() string {
	h, _ := os.Hostname()
	return fmt.Sprintf("%s-%d", h, os.Getpid())
}
