package browsertest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core"
)

// frameworks are the adapters the browser walks through.
var frameworks = []struct {
	name  string
	serve appServer
}{
	{"chi", serveChi},
}

// serveChi is the app on chi with chiclerk.
func serveChi(t *testing.T, c *core.Client) string {
	client := chiclerk.WithClient(c)
	page := chiclerk.Middleware(client, chiclerk.BrowserPages(true))
	public := chiclerk.Middleware(client, chiclerk.BrowserPages(true), chiclerk.Optional(true))
	r := chi.NewRouter()
	r.With(page).Get("/dashboard", func(w http.ResponseWriter, r *http.Request) {
		writeHTML(w, greeting(chiclerk.User(r.Context())))
	})
	r.With(public).Get("/", func(w http.ResponseWriter, r *http.Request) {
		writeHTML(w, homePage(chiclerk.Session(r.Context())))
	})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv.URL
}

func writeHTML(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.WriteString(w, body)
}
