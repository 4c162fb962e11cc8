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
	"net/http"
	_ "net/http/pprof" // served only when FERRETDB_PPROF_ADDR is set
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
	logger := slog.New(&lazyHandler{base: slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})})

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

	// A CPU profile of the store under a benchmark (`go tool pprof http://<addr>/debug/pprof/profile`):
	// the address comes from the environment so every launcher (tests, benches, npm start) can pass it.
	if addr := os.Getenv("FERRETDB_PPROF_ADDR"); addr != "" {
		go func() { logger.Warn("pprof server stopped", "err", http.ListenAndServe(addr, nil)) }()
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

// lazyHandler defers a logger's attributes until a record is actually written. FerretDB's SQL layer
// (internal/util/fsql) calls `logger.With(args…)` around every statement to log it at debug level, and
// slog's text handler formats those attributes — the whole document being written, quoted — at With
// time, enabled or not: about 7 % of the store's CPU under the write engine's load (a CPU profile taken
// with FERRETDB_PPROF_ADDR). Deferred, they cost nothing below the configured level.
type lazyHandler struct {
	base slog.Handler
	// steps replays WithAttrs and WithGroup calls in their order onto base when a record is handled.
	steps []func(slog.Handler) slog.Handler
}

func (h *lazyHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.base.Enabled(ctx, level)
}

func (h *lazyHandler) Handle(ctx context.Context, r slog.Record) error {
	target := h.base
	for _, step := range h.steps {
		target = step(target)
	}
	return target.Handle(ctx, r)
}

func (h *lazyHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return h.with(func(b slog.Handler) slog.Handler { return b.WithAttrs(attrs) })
}

func (h *lazyHandler) WithGroup(name string) slog.Handler {
	return h.with(func(b slog.Handler) slog.Handler { return b.WithGroup(name) })
}

func (h *lazyHandler) with(step func(slog.Handler) slog.Handler) slog.Handler {
	steps := make([]func(slog.Handler) slog.Handler, len(h.steps), len(h.steps)+1)
	copy(steps, h.steps)
	return &lazyHandler{base: h.base, steps: append(steps, step)}
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "ferretdb: "+format+"\n", args...)
	os.Exit(1)
}
