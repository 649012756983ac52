// Package reports renders a scan's report (reports/model) in every output
// format. Renderers never parse bytes: they render what scanners and
// detectors found.
package reports
