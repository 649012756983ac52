// Package crawl audits a website: it crawls pages with colly within a scope,
// obeying robots.txt for its own user agent, fetches the media the pages
// reference once each, runs the media detectors and the visible-label search
// on them, and gives every page and media item its opt-out verdict.
package crawl

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/aiaudit/aiaudit/detectors/optout"
	"github.com/aiaudit/aiaudit/reports/model"
)

// Scope decides which URLs the crawl may request.
type Scope struct {
	hosts      map[string]bool
	subdomains bool
	include    []*regexp.Regexp
	exclude    []*regexp.Regexp
}

// NewScope builds a scope from the start URLs' hosts plus extra hosts.
func NewScope(starts []*url.URL, extraHosts []string, subdomains bool, include, exclude []*regexp.Regexp) *Scope {
	s := &Scope{hosts: map[string]bool{}, subdomains: subdomains, include: include, exclude: exclude}
	for _, u := range starts {
		s.hosts[strings.ToLower(u.Host)] = true
	}
	for _, h := range extraHosts {
		s.hosts[strings.ToLower(h)] = true
	}
	return s
}

// Allows reports whether u is in scope.
func (s *Scope) Allows(u *url.URL) bool {
	if u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	host := strings.ToLower(u.Host)
	ok := s.hosts[host]
	if !ok && s.subdomains {
		for h := range s.hosts {
			if strings.HasSuffix(host, "."+h) {
				ok = true
				break
			}
		}
	}
	if !ok {
		return false
	}
	path := optout.Path(u) // what robots.txt matches too
	for _, re := range s.exclude {
		if re.MatchString(path) {
			return false
		}
	}
	if len(s.include) == 0 {
		return true
	}
	for _, re := range s.include {
		if re.MatchString(path) {
			return true
		}
	}
	return false
}

// normalize drops the fragment (#a and #b are the same page) and any
// credentials a link holds (model.StripUserinfo): a page is crawled,
// reported and known by its URL without them.
func normalize(u *url.URL) string {
	c := *u
	c.Fragment = ""
	c.RawFragment = ""
	return model.StripUserinfo(c.String())
}
