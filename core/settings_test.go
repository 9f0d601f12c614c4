package core

import (
	"reflect"
	"testing"
)

// TestSettingsKeepNoRawConfig: a Client keeps resolved settings only, so
// no code can read a setting the resolver replaces (UserCacheTTL,
// Audience, JWTKey, ...) instead of its resolved value.
func TestSettingsKeepNoRawConfig(t *testing.T) {
	st := reflect.TypeOf(settings{})
	for i := 0; i < st.NumField(); i++ {
		if f := st.Field(i); f.Type == reflect.TypeOf(Config{}) {
			t.Errorf("settings.%s is a raw Config", f.Name)
		}
	}
	for _, raw := range []string{"APIURL", "Domain", "PublishableKey", "ProxyURL", "JWTKey", "AuthorizedParties", "UserCacheTTL", "MachineTokenCacheTTL", "Audience"} {
		if _, ok := st.FieldByName(raw); ok {
			t.Errorf("settings reaches the raw Config.%s beside its resolved value", raw)
		}
	}
}
