package urls

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/agents"
	"github.com/aiaudit/aiaudit/detectors/aitxt"
	"github.com/aiaudit/aiaudit/detectors/media"
	"github.com/aiaudit/aiaudit/detectors/optout"
	"github.com/aiaudit/aiaudit/detectors/robots"
	"github.com/aiaudit/aiaudit/detectors/robotsmeta"
	"github.com/aiaudit/aiaudit/detectors/tdmrep"
	"github.com/aiaudit/aiaudit/reports/model"
)

// Depth is how much is fetched per URL.
type Depth string

const (
	Policy  Depth = "policy"  // site-level files only
	Headers Depth = "headers" // plus one request per URL: headers and the HTML <head>
	Full    Depth = "full"    // plus the content, media metadata included
)

// Caps on what is read.
const (
	maxPolicyFile = robots.MaxSize
	maxHead       = 256 << 10
	maxFull       = 16 << 20
	policyTTL     = 24 * time.Hour // RFC 9309 §2.4: do not use a cached robots.txt longer than 24 hours
)

// Options configures a Vetter.
type Options struct {
	Depth  Depth
	Agents []string // crawler tokens; empty: every known AI-training agent
	List   *agents.List
	Strict bool // count only conforming signals
	Fetch  FetchOptions
	// Policies shares site policy files with other vetters (nil: this
	// vetter's own cache only).
	Policies PolicyStore
}

// Result is the verdict for one URL.
type Result struct {
	Location       string             `json:"location"`
	TrainingOptOut *bool              `json:"training_opt_out"`
	OptOutEvidence []detectors.OptOut `json:"opt_out_evidence"`
	Status         int                `json:"status,omitempty"`
	MediaType      string             `json:"media_type,omitempty"`
	Error          string             `json:"error"`
	// Kept are the input's --keep values, carried from the Item.
	Kept []*string `json:"-"`
	// canceled marks a result cut short by an interrupt: not a verdict.
	canceled bool
}

// Canceled reports a result cut short by an interrupt: not a verdict.
func (r Result) Canceled() bool { return r.canceled }

// Vetter decides opt-outs for URLs, sharing one policy cache and client.
type Vetter struct {
	opt    Options
	fetch  *Fetcher
	agents []string
	mu     sync.Mutex
	sites  map[string]*site // by lower-cased origin
}

// site is the cached policy of one origin.
type site struct {
	ready   chan struct{}
	fetched time.Time
	ttl     time.Duration
	policy  optout.Site
}

// NewVetter builds a vetter; its cache holds one entry per origin, so memory
// grows with hosts, not URLs.
func NewVetter(opt Options) *Vetter {
	if opt.List == nil {
		opt.List = agents.Default()
	}
	if opt.Depth == "" {
		opt.Depth = Headers
	}
	v := &Vetter{opt: opt, fetch: NewFetcher(opt.Fetch), sites: map[string]*site{}}
	v.agents = opt.Agents
	if len(v.agents) == 0 {
		v.agents = TrainingAgents(opt.List)
	}
	return v
}

// TrainingAgents are the agents evaluated when none is asked for: every
// AI-training agent of list (the embedded one when list is nil).
func TrainingAgents(list *agents.List) []string {
	if list == nil {
		list = agents.Default()
	}
	var tokens []string
	for _, a := range list.WithPurpose(agents.Training) {
		tokens = append(tokens, a.Token)
	}
	return tokens
}

// Agents are the crawler tokens evaluated.
func (v *Vetter) Agents() []string { return v.agents }

// SitePolicy returns the cached robots.txt, tdmrep.json and ai.txt of an
// origin, fetching them once.
func (v *Vetter) SitePolicy(ctx context.Context, host, origin string) optout.Site {
	return v.site(ctx, host, origin).policy
}

// Fetcher is the vetter's polite client, for callers that fetch more from
// the same hosts (the crawler's media and sitemaps).
func (v *Vetter) Fetcher() *Fetcher { return v.fetch }

// Origin returns scheme://host[:port] of a URL, or an error for input that
// is not an absolute http(s) URL.
// An error quotes the URL without credentials.
func Origin(raw string) (*url.URL, string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's own message quotes the input as given.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, "", fmt.Errorf("invalid URL %q: %w", model.StripUserinfo(raw), err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, "", fmt.Errorf("invalid URL %q: need an absolute http or https URL", model.StripUserinfo(raw))
	}
	return u, u.Scheme + "://" + u.Host, nil
}

// Vet decides one URL: the site's policy, and (with --check headers or
// full) the response's headers, HTML head and embedded metadata, through the
// one opt-out decision (detectors/optout). Credentials in raw are used to
// fetch it (Fetcher.UseCredentials); the result's location is without them.
func (v *Vetter) Vet(ctx context.Context, raw string) Result {
	raw = v.fetch.UseCredentials(raw)
	res := Result{Location: raw}
	u, origin, err := Origin(raw)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	if err := v.fetch.Dead(u.Host); err != nil {
		res.Error = err.Error()
		return res
	}
	// The list is the user's: its hosts' address spaces are allowed.
	v.fetch.AllowTargets(ctx, u.Hostname())
	facts := v.Facts(u, v.site(ctx, u.Host, origin).policy)
	if v.opt.Depth != Policy {
		limit := int64(maxHead)
		if v.opt.Depth == Full {
			limit = maxFull
		}
		resp, err := v.fetch.Get(ctx, u.Host, raw, limit)
		if err != nil {
			res.Error = err.Error()
		} else {
			res.Status = resp.Status
			res.MediaType = strings.TrimSpace(strings.Split(resp.Header.Get("Content-Type"), ";")[0])
			v.readResponse(&facts, resp)
			if resp.Status >= 400 {
				res.Error = fmt.Sprintf("HTTP %d", resp.Status)
			}
		}
	}
	facts.Failed = res.Error != ""
	d := optout.Decide(facts)
	res.OptOutEvidence, res.TrainingOptOut = d.Evidence, d.Reserved
	res.canceled = ctx.Err() != nil
	return res
}

// VetItem is the result for one line of a list: the reason it holds no URL,
// or the URL's verdict (Vet).
func (v *Vetter) VetItem(ctx context.Context, it Item) Result {
	var r Result
	if it.Err != nil {
		r = Result{Location: it.URL, Error: it.Err.Error()}
	} else {
		r = v.Vet(ctx, it.URL)
	}
	r.Kept = it.Kept // the input columns --keep carries along
	return r
}

// Facts starts the opt-out facts of a URL on a site with this policy: the
// agents and strictness of this vetter. Callers add what they fetched.
func (v *Vetter) Facts(u *url.URL, site optout.Site) optout.Facts {
	return optout.Facts{URL: u, Agents: v.agents, Explicit: len(v.opt.Agents) > 0, Site: site, Strict: v.opt.Strict}
}

// readResponse adds what a response shows: its headers, the HTML head, and
// for media fetched in full, the metadata embedded in the file.
func (v *Vetter) readResponse(f *optout.Facts, resp *Response) {
	ct := strings.ToLower(resp.Header.Get("Content-Type"))
	f.Response = &optout.Response{Header: resp.Header, Image: strings.HasPrefix(ct, "image/")}
	if strings.Contains(ct, "html") {
		head := robotsmeta.ParseHead(bytes.NewReader(resp.Body), maxHead)
		f.Response.Head = &head
	} else if v.opt.Depth == Full && len(resp.Body) > 0 {
		if resp.Truncated {
			f.EmbeddedUnread = fmt.Sprintf("body over %d bytes: embedded metadata not fully read", maxFull)
		} else if m, err := media.FromBytes(resp.Body, media.Limits{}); err == nil {
			f.Embedded = m.OptOuts
		}
	}
}

// site returns the cached policy of an origin, fetching it once; concurrent
// callers for the same origin wait for the first fetch. The cache is keyed
// by origin (scheme://host:port), as RFC 9309 §2.3 scopes robots.txt (and
// the other policy files are read the same way): https:// never borrows the
// http:// file of the same host. host only picks the fetcher's per-host
// politeness state: one server, whichever scheme it is asked over.
func (v *Vetter) site(ctx context.Context, host, origin string) *site {
	key := strings.ToLower(origin)
	v.mu.Lock()
	s := v.sites[key]
	if s != nil && expired(s) {
		s = nil // fetch again
	}
	if s == nil {
		s = &site{ready: make(chan struct{})}
		v.sites[key] = s
		v.mu.Unlock()
		v.load(ctx, s, host, origin)
		close(s.ready)
		return s
	}
	v.mu.Unlock()
	<-s.ready
	return s
}

// expired reports a policy older than its cache lifetime. It is read only
// after ready is closed, when fetched and ttl no longer change.
func expired(s *site) bool {
	select {
	case <-s.ready:
		return time.Since(s.fetched) > s.ttl
	default:
		return false
	}
}

// cacheTTL is how long a policy file may be reused: its Cache-Control
// max-age, at most 24 hours (RFC 9309 §2.4).
func cacheTTL(h http.Header) time.Duration {
	for _, d := range strings.Split(h.Get("Cache-Control"), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(d), "=")
		switch strings.ToLower(k) {
		case "no-store", "no-cache":
			return 0
		case "max-age":
			if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
				return min(time.Duration(secs)*time.Second, policyTTL)
			}
		}
	}
	return policyTTL
}

// PolicyStore shares the policy files vetters fetched, so that vetters in
// other processes (the workers of a distributed job) fetch a site's files
// once between them. Both methods are best effort: a store that fails loads
// nothing and the vetter fetches the files itself.
type PolicyStore interface {
	// LoadPolicy returns the files of origin if the store has them and
	// they are not older than their TTL.
	LoadPolicy(ctx context.Context, origin string) (PolicyFiles, bool)
	// StorePolicy keeps the files of origin for their TTL.
	StorePolicy(ctx context.Context, origin string, files PolicyFiles)
}

// PolicyFiles are a site's policy files as fetched, before parsing: what a
// PolicyStore keeps. A nil file was not usable (not fetched, not 200, cut).
type PolicyFiles struct {
	Fetched time.Time `json:"fetched"`
	// Robots is robots.txt; RobotsError why it could not be fetched.
	Robots      *PolicyFile `json:"robots,omitempty"`
	RobotsError string      `json:"robots_error,omitempty"`
	TDMRep      *PolicyFile `json:"tdmrep,omitempty"`
	AITxt       *PolicyFile `json:"ai_txt,omitempty"`
}

// PolicyFile is one fetched policy file.
type PolicyFile struct {
	Status int `json:"status"`
	// ContentType is the declared media type, for the soft-404 check.
	ContentType  string `json:"content_type,omitempty"`
	CacheControl string `json:"cache_control,omitempty"`
	Body         []byte `json:"body"`
	Truncated    bool   `json:"truncated,omitempty"`
}

// TTL is how long the files may be used: robots.txt's Cache-Control
// max-age, at most 24 hours (RFC 9309 §2.4).
func (p PolicyFiles) TTL() time.Duration {
	if p.Robots == nil {
		return policyTTL
	}
	return cacheTTL(http.Header{"Cache-Control": {p.Robots.CacheControl}})
}

// load fills s with the origin's policy: from the shared store when it has
// it, else fetched (and shared).
func (v *Vetter) load(ctx context.Context, s *site, host, origin string) {
	files, ok := PolicyFiles{}, false
	if v.opt.Policies != nil {
		files, ok = v.opt.Policies.LoadPolicy(ctx, origin)
	}
	if !ok {
		files = v.fetchPolicy(ctx, host, origin)
		// A fetch cut by an interrupt is not the site's policy.
		if v.opt.Policies != nil && ctx.Err() == nil && files.TTL() > 0 {
			v.opt.Policies.StorePolicy(ctx, origin, files)
		}
	}
	s.fetched, s.ttl, s.policy = files.Fetched, files.TTL(), files.parse()
}

// fetchPolicy fetches robots.txt, tdmrep.json and ai.txt of an origin.
func (v *Vetter) fetchPolicy(ctx context.Context, host, origin string) PolicyFiles {
	files := PolicyFiles{Fetched: time.Now()}
	if r, err := v.fetch.Get(ctx, host, origin+"/robots.txt", maxPolicyFile); err != nil {
		files.RobotsError = err.Error()
	} else {
		files.Robots = &PolicyFile{Status: r.Status, ContentType: mediaType(r.Header), CacheControl: r.Header.Get("Cache-Control"), Body: r.Body, Truncated: r.Truncated}
	}
	if r, err := v.fetch.Get(ctx, host, origin+"/.well-known/tdmrep.json", tdmrep.MaxFile); err == nil && r.Status == 200 && !r.Truncated {
		files.TDMRep = &PolicyFile{Status: r.Status, ContentType: mediaType(r.Header), Body: r.Body}
	}
	if r, err := v.fetch.Get(ctx, host, origin+"/ai.txt", maxPolicyFile); err == nil && r.Status == 200 {
		files.AITxt = &PolicyFile{Status: r.Status, ContentType: mediaType(r.Header), Body: r.Body}
	}
	return files
}

// parse reads the policy the files state.
func (p PolicyFiles) parse() optout.Site {
	var site optout.Site
	if p.Robots == nil {
		site.Robots = robots.ForStatus(0, nil) // unreachable: disallow-all, reported as unknown
		site.Robots.Notes = append(site.Robots.Notes, p.RobotsError)
	} else if why := notTheFile("robots.txt", p.Robots); why != "" {
		site.Robots = robots.Absent(p.Robots.Status, why)
	} else {
		site.Robots = robots.ForStatus(p.Robots.Status, p.Robots.Body)
		if p.Robots.Truncated {
			// The fetch stops at the RFC 9309 minimum (500 KiB); what
			// follows was not read.
			site.Robots.Truncated = true
			site.Robots.Notes = append(site.Robots.Notes, fmt.Sprintf("robots.txt over %d bytes: only the first %d were parsed (RFC 9309 §2.5)", maxPolicyFile, maxPolicyFile))
		}
	}
	if p.TDMRep != nil {
		f, perr := tdmrep.ParseFile(p.TDMRep.Body)
		switch why := notTheFile("tdmrep.json", p.TDMRep); {
		case why != "":
			site.TDMNote = why
		case perr != nil:
			site.TDMNote = "tdmrep.json unreadable: " + perr.Error()
		default:
			site.TDM = f
			if len(f.Problems) > 0 {
				site.TDMNote = "tdmrep.json: " + strings.Join(f.Problems, "; ")
			}
		}
	}
	if p.AITxt != nil {
		if why := notTheFile("ai.txt", p.AITxt); why != "" {
			site.AITxtNote = why
		} else {
			site.AITxt = aitxt.Parse(p.AITxt.Body)
		}
	}
	return site
}
