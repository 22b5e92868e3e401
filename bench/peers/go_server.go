// SPDX-License-Identifier: MIT
// bench peer: Go net/http, one process; bench/run sets GOMAXPROCS=1.
// Endpoints as bench/bench_app.cpp except the 4-parameter route (net/http's ServeMux in Go
// 1.19 has no path parameters). Usage: go_server PORT
package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strconv"
)

type message struct {
	Message string `json:"message"`
}

type postBody struct {
	Items []struct {
		ID int64 `json:"id"`
	} `json:"items"`
}

type postAnswer struct {
	Count int   `json:"count"`
	Total int64 `json:"total"`
}

type chainKey struct{}

// counting is one middleware of the chain: it counts itself in the request's context.
func counting(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := r.Context().Value(chainKey{}).(int)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), chainKey{}, n+1)))
	})
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/plaintext", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("Hello, World!"))
	})
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		body, _ := json.Marshal(message{"Hello, World!"})
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	mux.HandleFunc("/json-post", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		var in postBody
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out := postAnswer{Count: len(in.Items)}
		for _, item := range in.Items {
			out.Total += item.ID
		}
		body, _ := json.Marshal(out)
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	var chain http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := r.Context().Value(chainKey{}).(int)
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("X-Middleware", strconv.Itoa(n))
		w.Write([]byte("Hello, World!"))
	})
	for i := 0; i < 5; i++ {
		chain = counting(chain)
	}
	mux.Handle("/mw/plaintext", chain)
	server := &http.Server{Addr: "127.0.0.1:" + os.Args[1], Handler: mux}
	if err := server.ListenAndServe(); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
}
