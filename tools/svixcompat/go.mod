module github.com/clerkgo/clerk/tools/svixcompat

go 1.25.0

require github.com/clerkgo/clerk v0.0.0

require (
	github.com/svix/svix-webhooks v1.44.0
	gopkg.in/validator.v2 v2.0.1 // indirect
)

replace github.com/clerkgo/clerk => ../..
