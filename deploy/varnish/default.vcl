vcl 4.1;

# Varnish in front of the Verdict API: keeps keyed answers until Verdict purges their keys
# (xkey, from varnish-modules). See docs/cdn.md.

import std;
import xkey;

# The API (docker-compose.yml: nginx in front of the replicas); tests point it at their API.
backend default {
    .host = "proxy";
    .port = "80";
}

# Who may purge: the sync worker and the API (loopback and private networks).
acl purgers {
    "127.0.0.1";
    "::1";
    "10.0.0.0"/8;
    "172.16.0.0"/12;
    "192.168.0.0"/16;
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "No xkey-purge header"));
        }
        # A hard purge: the next request for a purged answer goes to the API.
        set req.http.x-purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.x-purged));
    }
    # Anything else follows the builtin rules: only GET/HEAD are cached, and a request with a
    # Cookie or Authorization header (a voter's token) passes to the API.
}

sub vcl_backend_response {
    # Verdict names what an answer read in Surrogate-Key, and how long a shared cache may keep
    # it in Surrogate-Control (long: its purge ends it). Cache-Control is left for browsers.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    if (beresp.status == 200 && !beresp.http.Set-Cookie
            && beresp.http.Surrogate-Control ~ "max-age=[0-9]+") {
        set beresp.ttl = std.duration(
            regsub(beresp.http.Surrogate-Control, "^.*max-age=([0-9]+).*$", "\1s"), 0s);
        set beresp.grace = 10s;
        # Skip the builtin rules, which would not keep an answer marked no-cache for browsers.
        return (deliver);
    }
}

sub vcl_deliver {
    # Kept on the object (a 304 revalidation merges them back), never shown to clients.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    unset resp.http.Surrogate-Control;
    if (obj.hits > 0) {
        set resp.http.x-varnish-cache = "hit";
    } else {
        set resp.http.x-varnish-cache = "miss";
    }
}
