package core_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
)

// TestRetryAfter: FailureOf rounds Error.RetryAfter up to whole seconds,
// and WriteFailure sends it as Retry-After; failures without one send none.
func TestRetryAfter(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{&core.Error{Reason: core.ReasonJWKSRefreshPending, RetryAfter: 29 * time.Second}, "29"},
		{&core.Error{Reason: core.ReasonJWKSRefreshPending, RetryAfter: 29*time.Second + time.Millisecond}, "30"},
		{&core.Error{Reason: core.ReasonJWKSRefreshPending, RetryAfter: time.Nanosecond}, "1"},
		{fmt.Errorf("wrapped: %w", &core.Error{Reason: core.ReasonJWKSRefreshPending, RetryAfter: 5 * time.Second}), "5"},
		{&core.Error{Reason: core.ReasonJWKSUnavailable}, ""},
		{&core.Error{Reason: core.ReasonTokenUnknownKID}, ""},
		{fmt.Errorf("not a clerk error"), ""},
	} {
		f := core.FailureOf(tt.err)
		if got := f.RetryAfterHeader(); got != tt.want {
			t.Errorf("%v: Retry-After %q, want %q", tt.err, got, tt.want)
		}
		rec := httptest.NewRecorder()
		core.WriteFailure(rec, tt.err)
		if got := rec.Header().Values("Retry-After"); (tt.want == "" && len(got) != 0) || (tt.want != "" && (len(got) != 1 || got[0] != tt.want)) {
			t.Errorf("%v: WriteFailure sent Retry-After %q, want %q", tt.err, got, tt.want)
		}
		if tt.want != "" && (rec.Code != http.StatusServiceUnavailable || rec.Header().Get("WWW-Authenticate") != "") {
			t.Errorf("%v: %d %q, want 503 without a challenge", tt.err, rec.Code, rec.Header().Get("WWW-Authenticate"))
		}
	}
}
