package browsertest

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/gofiber/fiber/v2"

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/fiberclerk"
	"github.com/clerkgo/clerk/ginclerk"
)

// frameworks are the adapters the browser walks through.
var frameworks = []struct {
	name  string
	serve appServer
}{
	{"chi", serveChi},
	{"gin", serveGin},
	{"fiber", serveFiber},
}

// serveChi is the app on chi with chiclerk.
func serveChi(t *testing.T, c *core.Client) string {
	srv := httptest.NewServer(chiApp(c))
	t.Cleanup(srv.Close)
	return srv.URL
}

// chiApp is serveChi's router, for tests that add routes or serve it on
// a listener of their own.
func chiApp(c *core.Client) chi.Router {
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
	return r
}

func writeHTML(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.WriteString(w, body)
}

// serveGin is the app on Gin with ginclerk.
func serveGin(t *testing.T, c *core.Client) string {
	srv := httptest.NewServer(ginApp(c))
	t.Cleanup(srv.Close)
	return srv.URL
}

// ginApp is serveGin's engine, for tests that add routes or serve it on a
// listener of their own.
func ginApp(c *core.Client) *gin.Engine {
	client := ginclerk.WithClient(c)
	page := ginclerk.Middleware(client, ginclerk.BrowserPages(true))
	public := ginclerk.Middleware(client, ginclerk.BrowserPages(true), ginclerk.Optional(true))
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/dashboard", page, func(g *gin.Context) {
		g.Data(http.StatusOK, "text/html; charset=utf-8", []byte(greeting(ginclerk.User(g))))
	})
	r.GET("/", public, func(g *gin.Context) {
		g.Data(http.StatusOK, "text/html; charset=utf-8", []byte(homePage(ginclerk.Session(g))))
	})
	return r
}

// serveFiber is the app on Fiber v2 with fiberclerk (fasthttp underneath:
// the 307s, the Set-Cookie headers and the query as Fiber handles them).
func serveFiber(t *testing.T, c *core.Client) string {
	client := fiberclerk.WithClient(c)
	page := fiberclerk.Middleware(client, fiberclerk.BrowserPages(true))
	public := fiberclerk.Middleware(client, fiberclerk.BrowserPages(true), fiberclerk.Optional(true))
	app := fiber.New(fiber.Config{DisableStartupMessage: true, ReadBufferSize: 32 << 10})
	app.Get("/dashboard", page, func(f *fiber.Ctx) error {
		f.Type("html", "utf-8")
		return f.SendString(greeting(fiberclerk.User(f)))
	})
	app.Get("/", public, func(f *fiber.Ctx) error {
		f.Type("html", "utf-8")
		return f.SendString(homePage(fiberclerk.Session(f)))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Listener(ln) }()
	t.Cleanup(func() {
		if err := app.Shutdown(); err != nil {
			t.Errorf("fiber shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("fiber: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}
