package jobs

import (
	"context"
	"encoding/json"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/aiaudit/aiaudit/scanner/urls"
)

// policyStore shares one job's fetched site policy files between workers
// through the policy bucket (urls.PolicyStore): a site's files are fetched
// once per job, whichever worker vets its URLs. The files say how long they
// are good for (robots.txt's max-age, at most the bucket's 24 hours).
type policyStore struct {
	kv  jetstream.KeyValue
	job string
}

func (p policyStore) key(origin string) string { return p.job + "." + hashKey(origin) }

func (p policyStore) LoadPolicy(ctx context.Context, origin string) (urls.PolicyFiles, bool) {
	e, err := p.kv.Get(ctx, p.key(origin))
	if err != nil {
		return urls.PolicyFiles{}, false
	}
	var f urls.PolicyFiles
	if json.Unmarshal(e.Value(), &f) != nil || time.Since(f.Fetched) >= f.TTL() {
		return urls.PolicyFiles{}, false
	}
	return f, true
}

func (p policyStore) StorePolicy(ctx context.Context, origin string, f urls.PolicyFiles) {
	b, err := json.Marshal(f)
	if err != nil {
		return
	}
	p.kv.Put(ctx, p.key(origin), b) // best effort: without it the next worker fetches again
}
