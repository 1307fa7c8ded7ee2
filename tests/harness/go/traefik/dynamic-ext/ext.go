// Package ext is a copy of github.com/traefik/traefik's pkg/config/dynamic/ext (a nested module of its
// own, so not in the v3 module's zip, and at a path the module proxy cannot serve). Traefik's go.mod
// replaces it with a local directory, which a dependent module does not inherit; this wrapper's go.mod
// replaces it with this directory. Its types are empty extension points of dynamic.HTTP / dynamic.Router.
package ext

// HTTP is a dynamic.HTTP extension.
type HTTP struct{}

// Router is a dynamic.Router extension.
type Router struct{}

// RouterIng is a RouterIng extension for ingress provider annotations.
type RouterIng struct{}

// ToRouter converts RouterIng to a Router.
func (r RouterIng) ToRouter() Router {
	return Router{}
}
