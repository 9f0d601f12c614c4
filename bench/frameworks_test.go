package bench

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	jwtware "github.com/gofiber/contrib/jwt"
	"github.com/gofiber/fiber/v2"
	echojwt "github.com/labstack/echo-jwt/v4"
	"github.com/labstack/echo/v4"
	"github.com/valyala/fasthttp"

	"github.com/clerkgo/clerk/echoclerk"
	"github.com/clerkgo/clerk/fiberclerk"
	"github.com/clerkgo/clerk/ginclerk"
)

// ginEngine is a Gin engine (release mode) answering GET / with 200 behind
// mw (nil: none).
func ginEngine(mw gin.HandlerFunc) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	if mw != nil {
		e.Use(mw)
	}
	e.GET("/", func(c *gin.Context) { c.Status(http.StatusOK) })
	return e
}

// echoServer is an Echo server answering GET / with 200 behind mw (nil:
// none).
func echoServer(mw echo.MiddlewareFunc) *echo.Echo {
	e := echo.New()
	if mw != nil {
		e.Use(mw)
	}
	e.GET("/", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
	return e
}

// fiberApp is a Fiber app answering GET / with 200 behind mw (nil: none).
func fiberApp(mw fiber.Handler) fasthttp.RequestHandler {
	a := fiber.New(fiber.Config{DisableStartupMessage: true})
	if mw != nil {
		a.Use(mw)
	}
	a.Get("/", func(c *fiber.Ctx) error { return c.SendStatus(http.StatusOK) })
	return a.Handler()
}

// BenchmarkGin compares a bare Gin engine with ginclerk. Gin has no JWT
// middleware of its own, so there is no framework peer to compare with.
func BenchmarkGin(b *testing.B) {
	f := getFixture(b)
	b.Run("bare", func(b *testing.B) { serveLoop(b, ginEngine(nil), nil) })
	for _, ts := range tokenSets {
		b.Run("ginclerk/"+ts.name, func(b *testing.B) {
			mw := ginclerk.Middleware(ginclerk.WithClient(f.client(ts.set)), ginclerk.FetchUser(false))
			serveLoop(b, ginEngine(mw), bearer(f.set(ts.set)))
		})
	}
}

// BenchmarkEcho compares a bare Echo server, echoclerk, and Echo's own JWT
// middleware (labstack/echo-jwt) with the RSA public key configured
// statically.
func BenchmarkEcho(b *testing.B) {
	f := getFixture(b)
	b.Run("bare", func(b *testing.B) { serveLoop(b, echoServer(nil), nil) })
	for _, ts := range tokenSets {
		b.Run("echoclerk/"+ts.name, func(b *testing.B) {
			mw := echoclerk.Middleware(echoclerk.WithClient(f.client(ts.set)), echoclerk.FetchUser(false))
			serveLoop(b, echoServer(mw), bearer(f.set(ts.set)))
		})
		b.Run("echo-jwt/"+ts.name, func(b *testing.B) {
			mw := echojwt.WithConfig(echojwt.Config{SigningKey: f.pub, SigningMethod: "RS256"})
			serveLoop(b, echoServer(mw), bearer(f.set(ts.set)))
		})
	}
}

// BenchmarkFiber compares a bare Fiber app, fiberclerk, and Fiber's own JWT
// middleware (gofiber/contrib/jwt) with the RSA public key configured
// statically. Requests go through app.Handler() on a reused
// fasthttp.RequestCtx, as Fiber's own benchmarks do.
func BenchmarkFiber(b *testing.B) {
	f := getFixture(b)
	b.Run("bare", func(b *testing.B) { fiberLoop(b, fiberApp(nil), nil) })
	for _, ts := range tokenSets {
		b.Run("fiberclerk/"+ts.name, func(b *testing.B) {
			mw := fiberclerk.Middleware(fiberclerk.WithClient(f.client(ts.set)), fiberclerk.FetchUser(false))
			fiberLoop(b, fiberApp(mw), f.set(ts.set))
		})
		b.Run("contrib-jwt/"+ts.name, func(b *testing.B) {
			mw := jwtware.New(jwtware.Config{SigningKey: jwtware.SigningKey{JWTAlg: jwtware.RS256, Key: f.pub}})
			fiberLoop(b, fiberApp(mw), f.set(ts.set))
		})
	}
}

// fiberLoop is serveLoop for fasthttp.
func fiberLoop(b *testing.B, h fasthttp.RequestHandler, toks []string) {
	b.Helper()
	loop(b, fiberServer(b, h, toks))
}

// fiberServer is httpServer for fasthttp: request i is a GET / with the
// i-th token of toks (nil: no Authorization header) on a reused
// fasthttp.RequestCtx, as Fiber's own benchmarks do.
func fiberServer(b *testing.B, h fasthttp.RequestHandler, toks []string) func(i int) {
	b.Helper()
	auths := make([][]byte, len(toks))
	for i, t := range toks {
		auths[i] = []byte("Bearer " + t)
	}
	ctx := new(fasthttp.RequestCtx)
	ctx.Request.Header.SetMethod(fasthttp.MethodGet)
	ctx.Request.SetRequestURI("/")
	serve := func(i int) {
		if len(auths) > 0 {
			ctx.Request.Header.SetBytesV(fasthttp.HeaderAuthorization, auths[i%len(auths)])
		}
		ctx.Response.Reset()
		h(ctx)
		if code := ctx.Response.StatusCode(); code != http.StatusOK {
			b.Fatalf("status %d, want 200", code)
		}
	}
	serve(len(auths) - 1)
	return serve
}
