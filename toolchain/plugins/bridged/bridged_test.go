package bridged

import (
	"testing"
)

// The type tokens the npm SDKs use for what kube-baseline creates: a mapping that named them otherwise would leave
// every registration without a provider (the plugin-schema e2e test compares the whole schema with the SDKs).
func TestInfoMapsTheSDKTokens(t *testing.T) {
	cases := map[string]map[string]string{
		"tls": {
			"tls_private_key":         "tls:index/privateKey:PrivateKey",
			"tls_locally_signed_cert": "tls:index/locallySignedCert:LocallySignedCert",
			"tls_self_signed_cert":    "tls:index/selfSignedCert:SelfSignedCert",
			"tls_cert_request":        "tls:index/certRequest:CertRequest",
		},
		"random": {
			"random_password": "random:index/randomPassword:RandomPassword",
			"random_bytes":    "random:index/randomBytes:RandomBytes",
			"random_string":   "random:index/randomString:RandomString",
		},
	}
	for name, tokens := range cases {
		info, err := Info(name, "1.2.3", nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if info.Name != name || info.Version != "1.2.3" {
			t.Errorf("%s: name %q version %q", name, info.Name, info.Version)
		}
		for tf, want := range tokens {
			r, ok := info.Resources[tf]
			if !ok {
				t.Errorf("%s: no mapping for %s", name, tf)
				continue
			}
			if string(r.Tok) != want {
				t.Errorf("%s: %s maps to %s, want %s", name, tf, r.Tok, want)
			}
		}
	}
}

func TestInfoRefusesAnUnknownProvider(t *testing.T) {
	if _, err := Info("time", "1.0.0", nil); err == nil {
		t.Fatal("Info(time) succeeded; only tls and random are bridged")
	}
}

func TestSchemaWithVersion(t *testing.T) {
	out, err := schemaWithVersion([]byte(`{"name":"tls","resources":{}}`), "5.3.0")
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != `{"name":"tls","resources":{},"version":"5.3.0"}` {
		t.Errorf("got %s", out)
	}
	if _, err := schemaWithVersion([]byte("not json"), "1"); err == nil {
		t.Error("a broken schema was accepted")
	}
}
