# Varnish in front of Folio: caches public reads for as long as Folio's
# Cache-Control allows (s-maxage), and forgets exactly what a change affects when
# Folio sends a purge by surrogate key (set FOLIO_PURGE_VARNISH_URLS to this
# server's address, e.g. http://varnish.internal:6081/).
#
# Needs Varnish 7 and the xkey module (Debian: apt-get install varnish varnish-modules).
# Declare one backend per Folio node (like `folio` below) and add each to the
# director in vcl_init; adjust the purgers ACL to the nodes' addresses.

vcl 4.1;

import directors;
import xkey;

# A node that stops answering /ready (its database out of reach, shutting down)
# gets no requests until it answers again. Nodes count as ready from the start.
probe ready {
    .url = "/ready";
    .interval = 2s;
    .timeout = 1s;
    .window = 3;
    .threshold = 2;
    .initial = 2;
}

backend folio {
    .host = "127.0.0.1";
    .port = "8080";
    .probe = ready;
}

sub vcl_init {
    # Requests go to the nodes in turn: they share the database and keep no state.
    new nodes = directors.round_robin();
    nodes.add_backend(folio);
}

# Who may purge: the Folio nodes.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    set req.backend_hint = nodes.backend();
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "No xkey-purge header"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone + " objects"));
    }
    # A token holder's reads are for them alone; Folio marks them private too.
    if (req.http.Authorization) {
        return (pass);
    }
    # Folio sets no cookies; one sent by a browser must not make every read a miss.
    unset req.http.Cookie;
}

sub vcl_backend_response {
    # xkey indexes objects by their xkey header; Folio names the keys in
    # Surrogate-Key (Fastly's header), which stays for a CDN further out.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    # Keep expired objects for stale-if-error: Varnish serves them when Folio
    # cannot answer (stale-while-revalidate already sets the grace period).
    set beresp.keep = 1d;
}

sub vcl_deliver {
    unset resp.http.xkey;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
