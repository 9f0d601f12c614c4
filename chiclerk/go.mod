module github.com/clerkgo/clerk/chiclerk

go 1.25.0

require (
	github.com/clerkgo/clerk v0.0.0
	github.com/go-chi/chi/v5 v5.5.0
)

replace github.com/clerkgo/clerk => ../
