// The pod sandbox's process (the "pause" container of every pod): it holds the pod's namespaces,
// reaps the children it inherits as PID 1, and exits on SIGINT or SIGTERM. Built static by
// hack/image/pause.sh; no image can be pulled here, so the node's sandbox image is made locally.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for sig := range signals {
		if sig != syscall.SIGCHLD {
			return
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
