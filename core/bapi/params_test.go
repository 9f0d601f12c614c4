package bapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestNullableJSON(t *testing.T) {
	type body struct {
		A Nullable[string]         `json:"a,omitzero"`
		B Nullable[int64]          `json:"b,omitzero"`
		C Nullable[map[string]any] `json:"c,omitzero"`
	}
	tests := []struct {
		in   body
		want string
	}{
		{body{}, `{}`},
		{body{A: Null[string]()}, `{"a":null}`},
		{body{A: Value("")}, `{"a":""}`},
		{body{A: Value("x"), B: Value[int64](0), C: Null[map[string]any]()}, `{"a":"x","b":0,"c":null}`},
		{body{C: Value(map[string]any{})}, `{"c":{}}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.in)
		if err != nil || string(b) != tt.want {
			t.Errorf("Marshal(%+v) = %s, %v; want %s", tt.in, b, err, tt.want)
		}
		var back body
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(back) != fmt.Sprint(tt.in) {
			t.Errorf("round trip of %s = %+v, want %+v", b, back, tt.in)
		}
	}
	n := Null[string]()
	if !n.IsNull() || n.IsZero() {
		t.Error("Null")
	}
	if v, ok := Value("x").Get(); !ok || v != "x" {
		t.Error("Get")
	}
	if _, ok := n.Get(); ok {
		t.Error("Get on null")
	}
	var bad Nullable[int64]
	if err := json.Unmarshal([]byte(`"x"`), &bad); err == nil {
		t.Error("want a type error")
	}
}

// recorder is a handler that keeps the last request and its body.
type recorder struct {
	mu     sync.Mutex
	req    *http.Request
	body   []byte
	answer any
}

func (rec *recorder) handle(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.req, rec.body = r, b
	answer := rec.answer
	rec.mu.Unlock()
	writeJSON(w, 200, answer)
}

func TestPatchNullVersusOmit(t *testing.T) {
	rec := &recorder{answer: map[string]any{"id": "user_1"}}
	c, _ := newTestClient(t, rec.handle)
	tests := []struct {
		name   string
		params *UpdateUserParams
		want   string
	}{
		{"nothing set", &UpdateUserParams{}, `{}`},
		{"nil params", nil, `{}`},
		{"clear one, set another", &UpdateUserParams{FirstName: Null[string](), LastName: Value("Lovelace")}, `{"first_name":null,"last_name":"Lovelace"}`},
		{"empty string is a value", &UpdateUserParams{Username: Value("")}, `{"username":""}`},
		{"false is a value", &UpdateUserParams{DeleteSelfEnabled: Value(false)}, `{"delete_self_enabled":false}`},
		{"optional pointer", &UpdateUserParams{PasswordDigest: Ptr("d")}, `{"password_digest":"d"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := c.Users.Update(context.Background(), "user_1", tt.params); err != nil {
				t.Fatal(err)
			}
			if rec.req.Method != http.MethodPatch || rec.req.URL.Path != "/v1/users/user_1" {
				t.Errorf("request = %s %s", rec.req.Method, rec.req.URL.Path)
			}
			if ct := rec.req.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("content type %q", ct)
			}
			if string(rec.body) != tt.want {
				t.Errorf("body = %s, want %s", rec.body, tt.want)
			}
		})
	}
}

func TestQueryArraysRepeated(t *testing.T) {
	rec := &recorder{answer: []any{}}
	c, _ := newTestClient(t, rec.handle)
	_, _, err := c.Users.List(context.Background(), &GetUserListParams{
		UserID:  []string{"user_a", "user_b"},
		Banned:  Ptr(false),
		Query:   "ada lovelace",
		Limit:   20,
		OrderBy: "-created_at",
	})
	if err != nil {
		t.Fatal(err)
	}
	q := rec.req.URL.Query()
	if got := q["user_id"]; fmt.Sprint(got) != "[user_a user_b]" {
		t.Errorf("user_id = %v", got)
	}
	if !strings.Contains(rec.req.URL.RawQuery, "user_id=user_a&user_id=user_b") {
		t.Errorf("raw query = %s", rec.req.URL.RawQuery)
	}
	want := map[string]string{"banned": "false", "query": "ada lovelace", "limit": "20", "order_by": "-created_at"}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	for _, k := range []string{"offset", "email_address", "last_active_at_since"} {
		if q.Has(k) {
			t.Errorf("unset %s was sent", k)
		}
	}
	if len(rec.body) != 0 {
		t.Errorf("GET sent a body: %s", rec.body)
	}
}

func TestMultipartUpload(t *testing.T) {
	type part struct{ name, filename, ctype, content string }
	var (
		mu    sync.Mutex
		parts []part
		path  string
	)
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/form-data" {
			t.Errorf("content type %q", r.Header.Get("Content-Type"))
		}
		mr := multipart.NewReader(r.Body, params["boundary"])
		mu.Lock()
		defer mu.Unlock()
		parts, path = nil, r.Method+" "+r.URL.Path
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(p)
			parts = append(parts, part{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), string(b)})
		}
		writeJSON(w, 200, map[string]any{"id": "x"})
	})
	_, _, err := c.Users.SetProfileImage(context.Background(), "user_1", &SetUserProfileImageParams{
		File: &File{Name: "avatar.png", ContentType: "image/png", Reader: strings.NewReader("PNGDATA")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if path != "POST /v1/users/user_1/profile_image" || fmt.Sprint(parts) != fmt.Sprint([]part{{"file", "avatar.png", "image/png", "PNGDATA"}}) {
		t.Errorf("%s: parts = %+v", path, parts)
	}
	_, _, err = c.Organizations.UploadLogo(context.Background(), "org_1", &UploadOrganizationLogoParams{
		UploaderUserID: Ptr("user_9"),
		File:           &File{Reader: strings.NewReader("LOGO")},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []part{{"uploader_user_id", "", "", "user_9"}, {"file", "file", "application/octet-stream", "LOGO"}}
	if path != "PUT /v1/organizations/org_1/logo" || fmt.Sprint(parts) != fmt.Sprint(want) {
		t.Errorf("%s: parts = %+v, want %+v", path, parts, want)
	}
	// The logo file is required by the spec.
	if _, _, err := c.Organizations.UploadLogo(context.Background(), "org_1", nil); err == nil || !strings.Contains(err.Error(), "file") {
		t.Errorf("missing file: err = %v", err)
	}
}

// pagedUsers serves GET /v1/users from n users, honouring limit and offset;
// failAt makes the request with that offset fail.
func pagedUsers(t *testing.T, n, failAt int, requests *atomic.Int32) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		if offset == failAt {
			writeJSON(w, 500, map[string]any{"errors": []any{map[string]any{"code": "boom", "message": "boom"}}})
			return
		}
		page := []any{}
		for i := offset; i < n && i < offset+limit; i++ {
			page = append(page, map[string]any{"id": fmt.Sprintf("user_%d", i)})
		}
		writeJSON(w, 200, page)
	}
}

func TestListAllPaging(t *testing.T) {
	tests := []struct {
		name     string
		users    int
		limit    int
		failAt   int
		stopAt   int // consumer breaks after this many items (0: never)
		wantIDs  int
		wantReqs int32
		wantErr  bool
	}{
		{name: "short last page", users: 5, limit: 2, failAt: -1, wantIDs: 5, wantReqs: 3},
		{name: "exact multiple needs an empty page", users: 4, limit: 2, failAt: -1, wantIDs: 4, wantReqs: 3},
		{name: "empty", users: 0, limit: 2, failAt: -1, wantIDs: 0, wantReqs: 1},
		{name: "default page size", users: 150, failAt: -1, wantIDs: 150, wantReqs: 2},
		{name: "error stops", users: 10, limit: 3, failAt: 3, wantIDs: 3, wantReqs: 2, wantErr: true},
		{name: "consumer breaks", users: 10, limit: 3, failAt: -1, stopAt: 2, wantIDs: 2, wantReqs: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reqs atomic.Int32
			c, _ := newTestClient(t, pagedUsers(t, tt.users, tt.failAt, &reqs))
			var ids []string
			var gotErr error
			for u, err := range c.Users.ListAll(context.Background(), &GetUserListParams{Limit: tt.limit}) {
				if err != nil {
					if u != nil {
						t.Error("item with error")
					}
					gotErr = err
					continue
				}
				ids = append(ids, u.ID)
				if tt.stopAt > 0 && len(ids) == tt.stopAt {
					break
				}
			}
			if len(ids) != tt.wantIDs || reqs.Load() != tt.wantReqs || (gotErr != nil) != tt.wantErr {
				t.Fatalf("ids=%d reqs=%d err=%v; want %d, %d, err %v", len(ids), reqs.Load(), gotErr, tt.wantIDs, tt.wantReqs, tt.wantErr)
			}
			for i, id := range ids {
				if id != fmt.Sprintf("user_%d", i) {
					t.Fatalf("ids[%d] = %s", i, id)
				}
			}
			if tt.wantErr && StatusCode(gotErr) != 500 {
				t.Errorf("err = %v", gotErr)
			}
		})
	}
}

func TestListAllStartsAtOffsetAndRestarts(t *testing.T) {
	var reqs atomic.Int32
	c, _ := newTestClient(t, pagedUsers(t, 7, -1, &reqs))
	seq := c.Users.ListAll(context.Background(), &GetUserListParams{Limit: 2, Offset: 3})
	for round := range 2 {
		var ids []string
		for u, err := range seq {
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, u.ID)
		}
		if fmt.Sprint(ids) != "[user_3 user_4 user_5 user_6]" {
			t.Errorf("round %d: ids = %v", round, ids)
		}
	}
}

func TestListAllStopsOnCanceledContext(t *testing.T) {
	var reqs atomic.Int32
	c, _ := newTestClient(t, pagedUsers(t, 100, -1, &reqs))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	var last error
	for _, err := range c.Users.ListAll(ctx, &GetUserListParams{Limit: 5}) {
		if err != nil {
			last = err
			continue
		}
		n++
		if n == 5 {
			cancel()
		}
	}
	if !errors.Is(last, context.Canceled) || n != 5 || reqs.Load() != 1 {
		t.Errorf("n=%d reqs=%d err=%v", n, reqs.Load(), last)
	}
}

func TestWrappedListTotalCountAndPaging(t *testing.T) {
	rec := &recorder{answer: map[string]any{
		"data":        []any{map[string]any{"id": "org_1", "name": "A"}, map[string]any{"id": "org_2", "name": "B"}},
		"total_count": 42,
	}}
	c, _ := newTestClient(t, rec.handle)
	orgs, resp, err := c.Organizations.List(context.Background(), &ListOrganizationsParams{Limit: 2, Offset: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(orgs) != 2 || orgs[1].Name != "B" {
		t.Errorf("orgs = %+v", orgs)
	}
	if resp.TotalCount != 42 || resp.Offset != 4 || resp.Limit != 2 || resp.NextOffset != 6 {
		t.Errorf("resp paging = total %d offset %d limit %d next %d", resp.TotalCount, resp.Offset, resp.Limit, resp.NextOffset)
	}
	// A page shorter than the (default) limit is the last one.
	_, resp, err = c.Organizations.List(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Limit != 10 || resp.NextOffset != 0 {
		t.Errorf("default limit %d, next %d", resp.Limit, resp.NextOffset)
	}
}

func TestArrayBody(t *testing.T) {
	rec := &recorder{answer: []any{map[string]any{"id": "inv_1"}}}
	c, _ := newTestClient(t, rec.handle)
	invs, _, err := c.Invitations.BulkCreate(context.Background(), []CreateBulkInvitationsItem{{EmailAddress: "a@example.com"}})
	if err != nil || len(invs) != 1 || invs[0].ID != "inv_1" {
		t.Fatalf("invs=%v err=%v", invs, err)
	}
	if !strings.HasPrefix(string(rec.body), `[{"email_address":"a@example.com"`) {
		t.Errorf("body = %s", rec.body)
	}
	if _, _, err := c.Invitations.BulkCreate(context.Background(), nil); err != nil || string(rec.body) != "[]" {
		t.Errorf("nil items: body %s err %v", rec.body, err)
	}
}

// TestMultipartHeaderInjection: a file's ContentType or Name, or a field
// name, with CR or LF would write part headers of its own. Such a request is
// refused before it is sent, with an error that does not quote the value.
func TestMultipartHeaderInjection(t *testing.T) {
	var hits atomic.Int32
	var injected atomic.Bool
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			if p.Header.Get("X-Evil") != "" {
				injected.Store(true)
			}
		}
		writeJSON(w, 200, map[string]any{"id": "x"})
	})
	tests := []struct {
		name string
		file File
	}{
		{"content type CRLF", File{Name: "a.png", ContentType: "image/png\r\nX-Evil: 1"}},
		{"content type LF", File{Name: "a.png", ContentType: "image/png\nX-Evil: 1"}},
		{"content type CR", File{Name: "a.png", ContentType: "image/png\rX-Evil: 1"}},
		{"content type NUL", File{Name: "a.png", ContentType: "image/png\x00X-Evil"}},
		{"content type not a media type", File{Name: "a.png", ContentType: "image/png X-Evil"}},
		{"file name CRLF", File{Name: "a.png\"\r\nX-Evil: 1", ContentType: "image/png"}},
		{"file name LF", File{Name: "a.png\nX-Evil: 1"}},
		{"file name DEL", File{Name: "a\x7fX-Evil.png"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.file
			f.Reader = strings.NewReader("PNG")
			_, _, err := c.Users.SetProfileImage(context.Background(), "user_1", &SetUserProfileImageParams{File: &f})
			if !errors.Is(err, ErrInvalidFile) {
				t.Fatalf("err = %v, want ErrInvalidFile", err)
			}
			if strings.Contains(err.Error(), "Evil") || !strings.Contains(err.Error(), `"file"`) {
				t.Errorf("error quotes the value or misses the field: %v", err)
			}
		})
	}
	if hits.Load() != 0 || injected.Load() {
		t.Errorf("%d requests sent, header injected: %v", hits.Load(), injected.Load())
	}
	// Media types with parameters, and names with quotes, are fine.
	_, _, err := c.Users.SetProfileImage(context.Background(), "user_1", &SetUserProfileImageParams{
		File: &File{Name: `my "best" avatar.png`, ContentType: "image/png; charset=binary", Reader: strings.NewReader("PNG")},
	})
	if err != nil || hits.Load() != 1 || injected.Load() {
		t.Errorf("err = %v, hits = %d", err, hits.Load())
	}
	// Field names come from the spec, but are checked all the same.
	form := newMultipartForm()
	form.field("a\r\nX-Evil: 1", "v")
	if _, err := form.request(http.MethodPost, "/x"); !errors.Is(err, ErrInvalidFile) {
		t.Errorf("field name: err = %v", err)
	}
}
