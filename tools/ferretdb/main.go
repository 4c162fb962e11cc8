// Command ferretdb runs FerretDB 1.24.2 with its SQLite backend as the embedded MongoDB-wire store.
//
// Why a wrapper: `go install .../cmd/ferretdb@v1.24.2` builds a binary that panics at start because
// build/version/version.txt is not part of the module (FerretDB issue #2982). The embeddable
// `ferretdb` package has no such dependency, so we start it from this tiny main module instead.
//
// Contract with scripts/services (the Node side): once listening, one line
// `FERRETDB_READY <mongodb uri>` is printed on stdout; SIGINT/SIGTERM close it cleanly.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:0", "TCP address to listen on (port 0 picks a free port)")
	dataDir := flag.String("sqlite-dir", ".data/ferretdb", "directory that holds the SQLite databases")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	exitWithStdin := flag.Bool("exit-with-stdin", false, "exit when stdin reaches EOF (the parent died)")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fatal("bad --log-level: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	abs, err := filepath.Abs(*dataDir)
	if err != nil {
		fatal("bad --sqlite-dir: %v", err)
	}
	// FerretDB's SQLite backend requires the directory to exist already.
	if err := os.MkdirAll(abs, 0o700); err != nil {
		fatal("cannot create %s: %v", abs, err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
	})
	if err != nil {
		fatal("cannot start FerretDB: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	if *exitWithStdin {
		// The parent holds our stdin open; when it dies (even by SIGKILL) the pipe closes and we
		// follow, so a crashed orchestrator never leaves an orphan store holding the data directory.
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()

	// MongoDBURI blocks until the listener is bound, which gives us the real port when it was 0.
	fmt.Printf("FERRETDB_READY %s\n", f.MongoDBURI())

	<-done
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "ferretdb: "+format+"\n", args...)
	os.Exit(1)
}
