package cawg

import (
	"time"

	"github.com/aiaudit/aiaudit/detectors/c2pa/cosesig"
	"github.com/aiaudit/aiaudit/detectors/c2pa/status"
	"github.com/aiaudit/aiaudit/detectors/c2pa/trust"
)

// x509Codes renames the claim-signature codes cosesig reports for an
// identity signature, as the reference does (X509StatusRemapGuard): an
// unreadable or empty COSE_Sign1 is a mismatch there too.
var x509Codes = map[status.Code]status.Code{
	status.AlgorithmUnsupported:       status.X509AlgorithmUnsupported,
	status.SigningCredentialTrusted:   status.X509CredentialTrusted,
	status.SigningCredentialUntrusted: status.X509CredentialUntrusted,
	status.SigningCredentialInvalid:   status.X509CredentialInvalid,
	status.SigningCredentialExpired:   status.X509SignatureOutsideValidity,
	status.ClaimSignatureMismatch:     status.X509SignatureMismatch,
	status.ClaimSignatureMissing:      status.X509SignatureMismatch,
	status.ClaimSignatureValidated:    status.X509SignatureValidated,
}

// x509 verifies a cawg.x509.cose signature: a COSE_Sign1 whose detached
// payload is the signer payload's CBOR, checked like a claim signature
// (certificate profile, validity at the time-stamp or now, chain to
// anchors).
func (r *Result) x509(a assertion, anchors *trust.Store, now time.Time) {
	v := cosesig.Verify(a.Signature, a.SignerPayload, anchors, now, nil) // identity certificates: stapled OCSP only
	for _, f := range v.Findings {
		c, ok := x509Codes[f.Code]
		if !ok {
			c = f.Code // time-stamp codes keep their names
		}
		r.add(c, "%s", f.Detail)
	}
	if v.Subject != "" {
		r.Named, r.Issuer, r.TrustList = []string{v.Subject}, v.Issuer, v.TrustList
	}
}
