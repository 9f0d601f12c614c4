package clerktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// requiredUserFields are the required properties of the spec's User schema.
var requiredUserFields = []string{
	"id", "object", "username", "first_name", "last_name", "has_image", "primary_email_address_id",
	"primary_phone_number_id", "primary_web3_wallet_id", "password_enabled", "two_factor_enabled",
	"totp_enabled", "backup_code_enabled", "email_addresses", "phone_numbers", "web3_wallets", "passkeys",
	"external_accounts", "saml_accounts", "enterprise_accounts", "public_metadata", "external_id",
	"last_sign_in_at", "banned", "locked", "lockout_expires_in_seconds", "verification_attempts_remaining",
	"created_at", "updated_at", "delete_self_enabled", "create_organization_enabled", "last_active_at",
	"mfa_enabled_at", "mfa_disabled_at", "legal_accepted_at",
}

var arrayUserFields = []string{"email_addresses", "phone_numbers", "web3_wallets", "passkeys",
	"external_accounts", "saml_accounts", "enterprise_accounts"}

func TestUserJSONShape(t *testing.T) {
	s := newTestServer(t, WithoutDefaultUser())
	u := s.CreateUser(UserParams{FirstName: "Ada", Email: "Ada@Example.com", PhoneNumbers: []string{"+15555550100"}})
	resp, body := do(t, s, "GET", "/v1/users/"+u.ID, true, "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	for _, f := range requiredUserFields {
		if _, ok := m[f]; !ok {
			t.Errorf("required field %s missing", f)
		}
	}
	for _, f := range arrayUserFields {
		if _, ok := m[f].([]any); !ok {
			t.Errorf("%s = %v, want an array", f, m[f])
		}
	}
	if _, ok := m["public_metadata"].(map[string]any); !ok {
		t.Errorf("public_metadata = %v", m["public_metadata"])
	}
	if m["object"] != "user" || m["first_name"] != "Ada" || m["last_name"] != nil || m["username"] != nil {
		t.Errorf("user %v", m)
	}
	emails := m["email_addresses"].([]any)
	e := emails[0].(map[string]any)
	for _, f := range []string{"object", "email_address", "verification", "linked_to", "reserved", "created_at", "updated_at"} {
		if _, ok := e[f]; !ok {
			t.Errorf("email field %s missing", f)
		}
	}
	if e["object"] != "email_address" || e["email_address"] != "ada@example.com" || e["id"] != m["primary_email_address_id"] {
		t.Errorf("email %v (primary %v)", e, m["primary_email_address_id"])
	}
	if v := e["verification"].(map[string]any); v["status"] != "verified" || v["strategy"] != "admin" {
		t.Errorf("verification %v", v)
	}
	ph := m["phone_numbers"].([]any)[0].(map[string]any)
	if ph["object"] != "phone_number" || ph["phone_number"] != "+15555550100" || ph["id"] != m["primary_phone_number_id"] {
		t.Errorf("phone %v", ph)
	}
	if got := u.PrimaryEmail(); got != "ada@example.com" {
		t.Errorf("PrimaryEmail %q", got)
	}
}

func TestDefaultUser(t *testing.T) {
	s := newTestServer(t)
	u, ok := s.DefaultUser()
	if !ok || u.PrimaryEmail() != "test@example.com" || deref(u.FirstName) != "Test" || u.LastSignInAt == nil {
		t.Fatalf("default user %+v", u)
	}
	p := mustVerify(t, fetchJWKS(t, s, "/v1/jwks"), s.Token()).payload
	resp, body := do(t, s, "GET", "/v1/users/"+p["sub"].(string), true, "")
	if resp.StatusCode != 200 {
		t.Fatalf("token sub is not a stored user: %d %s", resp.StatusCode, body)
	}
	s.DeleteUser(u.ID)
	if s.DefaultUserID() != u.ID {
		t.Error("DefaultUserID changed after deletion")
	}
	if resp, _ := do(t, s, "GET", "/v1/users/"+u.ID, true, ""); resp.StatusCode != 404 {
		t.Errorf("deleted default user: %d", resp.StatusCode)
	}

	s2 := newTestServer(t, WithoutDefaultUser())
	if _, ok := s2.DefaultUser(); ok || len(s2.Users()) != 0 || !strings.HasPrefix(s2.DefaultUserID(), "user_") {
		t.Errorf("WithoutDefaultUser: %v %v %q", ok, s2.Users(), s2.DefaultUserID())
	}
	s3 := newTestServer(t, WithDefaultUser(UserParams{ID: "user_fixed", Username: "neo"}))
	if u, ok := s3.DefaultUser(); !ok || u.ID != "user_fixed" || deref(u.Username) != "neo" {
		t.Errorf("WithDefaultUser: %+v", u)
	}
}

func TestUserCRUD(t *testing.T) {
	now := fixedNow
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := newTestServer(t, WithoutDefaultUser(), WithClock(clock))

	resp, body := do(t, s, "POST", "/v1/users", true, `{"first_name":"Grace","last_name":"Hopper","username":"grace",
		"email_address":["grace@example.com","gh@example.com"],"external_id":"ext_1","password":"correct horse",
		"public_metadata":{"role":"admin","nested":{"a":1,"b":2}},"private_metadata":{"secret":true}}`)
	if resp.StatusCode != 200 {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	var u User
	if err := json.Unmarshal(body, &u); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u.ID, "user_") || len(u.EmailAddresses) != 2 || u.PrimaryEmail() != "grace@example.com" ||
		!u.PasswordEnabled || u.PasswordLastUpdatedAt == nil || u.CreatedAt != now.UnixMilli() || !u.DeleteSelfEnabled {
		t.Fatalf("created %+v", u)
	}

	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	// Omitted fields stay, null clears, "" clears the username.
	resp, body = do(t, s, "PATCH", "/v1/users/"+u.ID, true, `{"first_name":"Amazing Grace","last_name":null,"username":""}`)
	if resp.StatusCode != 200 {
		t.Fatalf("patch: %d %s", resp.StatusCode, body)
	}
	var p User
	p = User{}
	_ = json.Unmarshal(body, &p)
	if deref(p.FirstName) != "Amazing Grace" || p.LastName != nil || p.Username != nil || deref(p.ExternalID) != "ext_1" ||
		p.UpdatedAt != now.UnixMilli() || p.CreatedAt != u.CreatedAt || p.PublicMetadata["role"] != "admin" {
		t.Errorf("patched %+v", p)
	}
	// Change the primary email to the second one.
	resp, body = do(t, s, "PATCH", "/v1/users/"+u.ID, true, fmt.Sprintf(`{"primary_email_address_id":%q}`, u.EmailAddresses[1].ID))
	if resp.StatusCode != 200 {
		t.Fatalf("primary: %d %s", resp.StatusCode, body)
	}
	p = User{}
	_ = json.Unmarshal(body, &p)
	if p.PrimaryEmail() != "gh@example.com" {
		t.Errorf("primary email %q", p.PrimaryEmail())
	}

	// Metadata: merge (null removes, nested objects merge), then replace.
	resp, body = do(t, s, "PATCH", "/v1/users/"+u.ID+"/metadata", true, `{"public_metadata":{"role":null,"nested":{"b":3,"c":4}}}`)
	if resp.StatusCode != 200 {
		t.Fatalf("merge: %d %s", resp.StatusCode, body)
	}
	p = User{}
	_ = json.Unmarshal(body, &p)
	if got, _ := json.Marshal(p.PublicMetadata); string(got) != `{"nested":{"a":1,"b":3,"c":4}}` {
		t.Errorf("merged public_metadata %s", got)
	}
	if p.PrivateMetadata["secret"] != true {
		t.Errorf("private metadata lost: %v", p.PrivateMetadata)
	}
	resp, body = do(t, s, "PUT", "/v1/users/"+u.ID+"/metadata", true, `{"private_metadata":{"x":"y"}}`)
	if resp.StatusCode != 200 {
		t.Fatalf("replace: %d %s", resp.StatusCode, body)
	}
	p = User{}
	_ = json.Unmarshal(body, &p)
	if got, _ := json.Marshal([]any{p.PublicMetadata, p.PrivateMetadata}); string(got) != `[{"nested":{"a":1,"b":3,"c":4}},{"x":"y"}]` {
		t.Errorf("replaced metadata %s", got)
	}

	resp, body = do(t, s, "DELETE", "/v1/users/"+u.ID, true, "")
	if resp.StatusCode != 200 || string(body) != fmt.Sprintf(`{"object":"user","id":%q,"deleted":true}`, u.ID) {
		t.Errorf("delete: %d %s", resp.StatusCode, body)
	}
	if _, ok := s.User(u.ID); ok {
		t.Error("user still stored")
	}
}

func TestUserErrors(t *testing.T) {
	s := newTestServer(t)
	def := s.DefaultUserID()
	tests := []struct {
		name, method, path, body string
		status                   int
		code, param              string
	}{
		{"get missing", "GET", "/v1/users/user_missing", "", 404, "resource_not_found", ""},
		{"patch missing", "PATCH", "/v1/users/user_missing", `{"first_name":"x"}`, 404, "resource_not_found", ""},
		{"delete missing", "DELETE", "/v1/users/user_missing", "", 404, "resource_not_found", ""},
		{"metadata missing", "PATCH", "/v1/users/user_missing/metadata", `{}`, 404, "resource_not_found", ""},
		{"email taken", "POST", "/v1/users", `{"email_address":["TEST@example.com"]}`, 422, "form_identifier_exists", "email_address"},
		{"bad email", "POST", "/v1/users", `{"email_address":["nope"]}`, 422, "form_param_format_invalid", "email_address"},
		{"unknown param", "POST", "/v1/users", `{"favourite_color":"red"}`, 422, "form_param_unknown", "favourite_color"},
		{"wrong type", "POST", "/v1/users", `{"first_name":42}`, 422, "form_param_format_invalid", "first_name"},
		{"short password", "POST", "/v1/users", `{"password":"short"}`, 422, "form_password_length_too_short", "password"},
		{"bad json", "POST", "/v1/users", `{`, 400, "request_body_invalid", ""},
		{"empty identification status", "POST", "/v1/users", `{"email_address":["a@b.c"],"email_address_identification_status":[]}`, 200, "", ""},
		{"metadata via update rejected", "PATCH", "/v1/users/" + def, `{"public_metadata":{"a":1}}`, 422, "form_param_unknown", "public_metadata"},
		{"primary email not the user's", "PATCH", "/v1/users/" + def, `{"primary_email_address_id":"idn_x"}`, 422, "form_param_value_invalid", "primary_email_address_id"},
		{"metadata not an object", "PATCH", "/v1/users/" + def + "/metadata", `{"public_metadata":[1]}`, 422, "form_param_format_invalid", "public_metadata"},
		{"limit too big", "GET", "/v1/users?limit=501", "", 422, "form_param_value_invalid", "limit"},
		{"limit zero", "GET", "/v1/users?limit=0", "", 422, "form_param_value_invalid", "limit"},
		{"negative offset", "GET", "/v1/users?offset=-1", "", 422, "form_param_value_invalid", "offset"},
		{"bad order", "GET", "/v1/users?order_by=-password", "", 422, "form_param_value_invalid", "order_by"},
		{"cursor needs created_at", "GET", "/v1/users?order_by=username&starting_after=" + def, "", 422, "form_param_value_invalid", "starting_after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, s, tt.method, tt.path, true, tt.body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if tt.code == "" {
				return
			}
			er := decodeErrors(t, body)
			if er.Errors[0].Code != tt.code {
				t.Errorf("code %q, want %q", er.Errors[0].Code, tt.code)
			}
			if tt.param != "" && er.Errors[0].Meta["param_name"] != tt.param {
				t.Errorf("param_name %v, want %q", er.Errors[0].Meta["param_name"], tt.param)
			}
			if tt.status == 404 && er.Errors[0].Message != "not found" {
				t.Errorf("message %q", er.Errors[0].Message)
			}
		})
	}
}

func TestUserRoutesRequireSecretKey(t *testing.T) {
	s := newTestServer(t)
	for _, ep := range []struct{ method, path string }{
		{"GET", "/v1/users"}, {"GET", "/v1/users/count"}, {"GET", "/v1/users/" + s.DefaultUserID()},
		{"POST", "/v1/users"}, {"PATCH", "/v1/users/" + s.DefaultUserID()}, {"DELETE", "/v1/users/" + s.DefaultUserID()},
		{"PATCH", "/v1/users/" + s.DefaultUserID() + "/metadata"}, {"PUT", "/v1/users/" + s.DefaultUserID() + "/metadata"},
	} {
		resp, body := do(t, s, ep.method, ep.path, false, "")
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s %s without key: %d", ep.method, ep.path, resp.StatusCode)
		}
		decodeErrors(t, body)
	}
	if _, ok := s.DefaultUser(); !ok {
		t.Error("unauthorized DELETE deleted the user")
	}
}

func listIDs(t *testing.T, s *Server, query string) []string {
	t.Helper()
	resp, body := do(t, s, "GET", "/v1/users"+query, true, "")
	if resp.StatusCode != 200 {
		t.Fatalf("list %s: %d %s", query, resp.StatusCode, body)
	}
	if !strings.HasPrefix(string(body), "[") {
		t.Fatalf("list is not a bare array: %s", body)
	}
	var us []User
	if err := json.Unmarshal(body, &us); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(us))
	for i, u := range us {
		ids[i] = u.ID
	}
	return ids
}

func TestListAndCount(t *testing.T) {
	s := newTestServer(t, WithoutDefaultUser())
	// 25 users created one second apart; user_00 is the oldest.
	base := fixedNow
	var ids []string
	for i := range 25 {
		id := fmt.Sprintf("user_%02d", i)
		ids = append(ids, id)
		s.CreateUser(UserParams{ID: id, Email: fmt.Sprintf("u%02d@example.com", i), FirstName: fmt.Sprintf("N%02d", 24-i),
			Username: fmt.Sprintf("name%02d", i), CreatedAt: base.Add(time.Duration(i) * time.Second), Banned: i%5 == 0})
	}
	newest := slices.Clone(ids)
	slices.Reverse(newest)

	tests := []struct {
		query string
		want  []string
	}{
		{"", newest[:10]},
		{"?limit=3&offset=2", newest[2:5]},
		{"?limit=500", newest},
		{"?offset=24", newest[24:]},
		{"?offset=100", []string{}},
		{"?order_by=created_at&limit=2", ids[:2]},
		{"?order_by=%2Bcreated_at&limit=2", ids[:2]},
		{"?order_by=first_name&limit=2", []string{"user_24", "user_23"}},
		{"?order_by=-username&order_by=created_at&limit=1", []string{"user_24"}},
		{"?user_id=user_03&user_id=user_01", []string{"user_03", "user_01"}},
		{"?user_id=-user_24&limit=1", []string{"user_23"}},
		{"?email_address=U07@example.com", []string{"user_07"}},
		{"?email_address=nobody@example.com", []string{}},
		{"?username=name11&username=name12", []string{"user_12", "user_11"}},
		{"?query=u1&limit=3", []string{"user_19", "user_18", "user_17"}},
		{"?banned=true", []string{"user_20", "user_15", "user_10", "user_05", "user_00"}},
		{"?starting_after=user_20&limit=3", []string{"user_19", "user_18", "user_17"}},
		{"?order_by=created_at&starting_after=user_22", []string{"user_23", "user_24"}},
		{fmt.Sprintf("?created_at_after=%d&limit=100", base.Add(21*time.Second).UnixMilli()), newest[:3]},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if got := listIDs(t, s, tt.query); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}

	counts := []struct {
		query string
		want  int
	}{
		{"", 25}, {"?banned=true", 5}, {"?user_id=user_01&user_id=user_02&limit=1", 2}, {"?order_by=-nonsense", 25},
		{"?email_address=u01@example.com", 1},
	}
	for _, c := range counts {
		resp, body := do(t, s, "GET", "/v1/users/count"+c.query, true, "")
		if want := fmt.Sprintf(`{"object":"total_count","total_count":%d}`, c.want); resp.StatusCode != 200 || string(body) != want {
			t.Errorf("count%s: %d %s, want %s", c.query, resp.StatusCode, body, want)
		}
	}
}

func TestCreateUserPanicsOnConflict(t *testing.T) {
	s := newTestServer(t)
	defer func() {
		if recover() == nil {
			t.Error("no panic for a taken email")
		}
	}()
	s.CreateUser(UserParams{Email: "test@example.com"})
}

func TestModifyUser(t *testing.T) {
	s := newTestServer(t)
	u, ok := s.ModifyUser(s.DefaultUserID(), func(u *User) {
		u.Banned = true
		u.OrganizationMemberships = []any{map[string]any{"object": "organization_membership", "organization": map[string]any{"id": "org_1"}}}
	})
	if !ok || !u.Banned {
		t.Fatalf("%+v", u)
	}
	if got := listIDs(t, s, "?organization_id=org_1"); !reflect.DeepEqual(got, []string{u.ID}) {
		t.Errorf("organization filter %v", got)
	}
	if got := listIDs(t, s, "?organization_id=org_2"); len(got) != 0 {
		t.Errorf("organization filter %v", got)
	}
	if _, ok := s.ModifyUser("user_none", func(*User) {}); ok {
		t.Error("modified a missing user")
	}
}

func TestConcurrentUsers(t *testing.T) {
	s := newTestServer(t, WithoutDefaultUser())
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			resp, body := do(t, s, "POST", "/v1/users", true, fmt.Sprintf(`{"email_address":["c%d@example.com"]}`, i))
			if resp.StatusCode != 200 {
				t.Errorf("%d %s", resp.StatusCode, body)
			}
			do(t, s, "GET", "/v1/users?limit=5", true, "")
		})
	}
	wg.Wait()
	if n := len(s.Users()); n != 20 {
		t.Errorf("%d users", n)
	}
}
