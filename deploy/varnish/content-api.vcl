# Varnish in front of the content API: caches its answers as their headers say, purges them
# by content key, and never lets an old replica's answer back in. Varnish 7 with the xkey
# and var modules of varnish-modules (Debian: apt-get install varnish varnish-modules).
#
#   varnishd -a :80 -f /etc/varnish/content-api.vcl -s malloc,1g
#
# The replicas are declared in backends.vcl beside this file (edit the addresses there).
# Each replica gets PURGE_URLS=http://<this varnish>/ and purges after its own reloads.
#
# What it does with our answers:
# - keeps each one for `max-age` (Varnish's own reading of Cache-Control), serves it stale
#   for `stale-while-revalidate` seconds while it fetches a fresh copy in the background
#   (grace), and fetches that copy with If-None-Match, so an unchanged answer costs the
#   replica a 304 (keep);
# - indexes it by the content keys in its Cache-Tag header (xkey), so that
#   `PURGE / ` with `xkey-purge: <key> <key>...` drops exactly the answers built from them;
# - remembers the newest content version announced by a purge (X-Content-Version) and
#   stores no answer of any other version: a replica that has not pulled yet, or an
#   answer that was on its way while the purge ran, is passed to the client but not kept
#   (see "Several replicas" in the README);
# - passes previews (Authorization) and anything but GET/HEAD; sends /api/events, unbuffered,
#   to the replicas' EVENTS_PORT (make serve streams events there, not on its API port).
# CACHE_TAG_HEADER must match the header named below (Cache-Tag by default).

vcl 4.1;

import std;
import var;
import xkey;
import directors;

include "backends.vcl";

# Who may purge: the replicas. Loopback only here; add your replicas' addresses.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        # The version first, then the purge: an answer of the old version that arrives
        # between the two is refused by vcl_backend_response, not stored.
        if (req.http.X-Content-Version ~ "^[0-9A-Za-z._-]{1,80}$") {
            var.global_set("content-version", req.http.X-Content-Version);
        }
        set req.http.n-gone = "0";
        if (req.http.xkey-purge) {
            set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        }
        return (synth(200, "Purged " + req.http.n-gone));
    }
    set req.backend_hint = replicas.backend();
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/api/events(\?|$)") {
        set req.backend_hint = event_replicas.backend();  # the replicas' EVENTS_PORT
        return (pass);
    }
    if (req.http.Authorization) {
        return (pass);  # previews are private to their reader
    }
    unset req.http.Cookie;  # the API reads no cookies; they must not split the cache
    return (hash);
}

sub vcl_backend_response {
    if (bereq.url ~ "^/api/events(\?|$)") {
        set beresp.do_stream = true;
        set beresp.uncacheable = true;
        return (deliver);
    }
    if (beresp.http.Cache-Tag) {
        set beresp.http.xkey = regsuball(beresp.http.Cache-Tag, "\s*,\s*", " ");
    }
    if (beresp.http.Cache-Control ~ "stale-while-revalidate=[0-9]+") {
        set beresp.grace = std.duration(
            regsub(beresp.http.Cache-Control, "^.*stale-while-revalidate=([0-9]+).*$", "\1") + "s",
            0s);
    }
    if (beresp.http.ETag) {
        set beresp.keep = 1h;  # past grace, still revalidated with If-None-Match
    }
    if (beresp.http.X-Content-Version && var.global_get("content-version")
        && beresp.http.X-Content-Version != var.global_get("content-version")) {
        # Not the version the replicas last announced: pass it on, keep nothing (for 1 s
        # requests for it go straight to a replica instead of queueing behind this one).
        set beresp.uncacheable = true;
        set beresp.ttl = 1s;
        return (deliver);
    }
    # Varnish's built-in rules follow: nothing `private`, `no-store` or `no-cache` is kept.
}

sub vcl_deliver {
    unset resp.http.xkey;
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
