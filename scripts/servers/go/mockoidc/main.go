// A stand-in for Logto's OIDC endpoints in tier-2 tests: serves mockoidc at <address>/oidc (the
// issuer path Logto uses), with the client id and secret the program generated, over TLS when
// given a certificate. Tests choose who signs in next: POST /__users with
// {"sub","email","organizations"} queues a user whose ID token carries those claims (the
// `organizations` claim is Logto's, requested with scope urn:logto:scope:organizations).
// Prints one JSON line {"issuer": ...} on stdout once it listens.
package main

import (
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"
)

// LogtoOrganizationsScope asks Logto for the `organizations` claim.
const LogtoOrganizationsScope = "urn:logto:scope:organizations"

type user struct {
	Subject       string   `json:"sub"`
	Email         string   `json:"email"`
	Organizations []string `json:"organizations"`
}

type claims struct {
	*mockoidc.IDTokenClaims
	Email         string   `json:"email,omitempty"`
	EmailVerified bool     `json:"email_verified,omitempty"`
	Organizations []string `json:"organizations,omitempty"`
}

func (u *user) ID() string { return u.Subject }

func (u *user) Userinfo(scope []string) ([]byte, error) {
	info := map[string]any{"sub": u.Subject}
	if has(scope, "email") {
		info["email"] = u.Email
		info["email_verified"] = true
	}
	if has(scope, LogtoOrganizationsScope) {
		info["organizations"] = u.Organizations
	}
	return json.Marshal(info)
}

func (u *user) Claims(scope []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	c := &claims{IDTokenClaims: base}
	if has(scope, "email") {
		c.Email, c.EmailVerified = u.Email, true
	}
	if has(scope, LogtoOrganizationsScope) {
		c.Organizations = u.Organizations
	}
	return c, nil
}

func has(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

func main() {
	addr := flag.String("address", "127.0.0.1:0", "listen address")
	clientID := flag.String("client-id", "", "the OIDC client id")
	clientSecret := flag.String("client-secret-env", "", "env var holding the OIDC client secret")
	cert := flag.String("tls-cert", "", "PEM certificate: serve HTTPS")
	key := flag.String("tls-key", "", "PEM private key of -tls-cert")
	flag.Parse()

	mockoidc.ScopesSupported = append(mockoidc.ScopesSupported, LogtoOrganizationsScope)
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		log.Fatal(err)
	}
	if *clientID != "" {
		m.ClientID = *clientID
	}
	if *clientSecret != "" {
		m.ClientSecret = os.Getenv(*clientSecret)
	}
	err = m.AddMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			log.Printf("%s %s", r.Method, r.URL.Path)
			next.ServeHTTP(w, r)
		})
	})
	if err != nil {
		log.Fatal(err)
	}
	var tlsConfig *tls.Config
	if *cert != "" {
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			log.Fatal(err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{pair}}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
	}
	if err := m.Start(ln, tlsConfig); err != nil {
		log.Fatal(err)
	}
	// mockoidc's own mux has no room for a control route: serve it in front (before the first request).
	m.Server.Handler = withControl(m, m.Server.Handler)
	out, _ := json.Marshal(map[string]string{"issuer": m.Issuer(), "client_id": m.ClientID})
	fmt.Println(string(out))

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	_ = m.Shutdown()
}

func withControl(m *mockoidc.MockOIDC, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/__users" {
			next.ServeHTTP(w, r)
			return
		}
		var u user
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&u) != nil || u.Subject == "" {
			http.Error(w, "POST {\"sub\",\"email\",\"organizations\"}", http.StatusBadRequest)
			return
		}
		m.QueueUser(&u)
		w.WriteHeader(http.StatusNoContent)
	})
}
