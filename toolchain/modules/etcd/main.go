// The etcd server binary: go.etcd.io/etcd/server/v3 publishes the server as a library (etcdmain);
// the upstream main package lives in the repository's root module, which the module proxy does not serve.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
