package core_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/clerkgo/clerk/core"
)

// TestFormattedTypeNames: a Config and a Client print under their real
// names (the package is core, as %T says), not under another package's.
func TestFormattedTypeNames(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	cfg := fakeConfig(s, clk)
	c := newClient(t, cfg)
	var nilClient *core.Client
	tests := []struct {
		name string
		v    any
		want string // prefix of every rendering
	}{
		{"Config", cfg, "core.Config{"},
		{"*Config", &cfg, "core.Config{"},
		{"*Client", c, "core.Client{"},
		{"nil *Client", nilClient, "core.Client{}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if typ := strings.TrimPrefix(fmt.Sprintf("%T", tt.v), "*"); !strings.HasPrefix(tt.want, typ+"{") {
				t.Fatalf("test table: %%T is %s, want prefix %s", typ, tt.want)
			}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
				if got := fmt.Sprintf(verb, tt.v); !strings.HasPrefix(got, tt.want) {
					t.Errorf("%s renders as %s, want the prefix %s", verb, got, tt.want)
				}
			}
		})
	}
}
