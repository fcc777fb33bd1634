# The content API's replicas, for content-api.vcl: for each replica, its API port (`PORT`) in
# the round-robin director `replicas`, and its event stream port (`EVENTS_PORT`, where
# /api/events is served) in `event_replicas`. Edit the addresses; add a pair of backends and
# their add_backend lines per replica. The probe takes a replica out while it does not
# answer /healthz.

probe content_api_health {
    .url = "/healthz";
    .interval = 2s;
    .timeout = 1s;
    .window = 3;
    .threshold = 2;
}

backend replica_1 {
    .host = "127.0.0.1";
    .port = "5000";
    .probe = content_api_health;
}

backend replica_1_events {
    .host = "127.0.0.1";
    .port = "5001";
    .between_bytes_timeout = 60s;  # streams send a comment line every 15 s
}

backend replica_2 {
    .host = "127.0.0.1";
    .port = "5002";
    .probe = content_api_health;
}

backend replica_2_events {
    .host = "127.0.0.1";
    .port = "5003";
    .between_bytes_timeout = 60s;
}

sub vcl_init {
    new replicas = directors.round_robin();
    replicas.add_backend(replica_1);
    replicas.add_backend(replica_2);
    new event_replicas = directors.round_robin();
    event_replicas.add_backend(replica_1_events);
    event_replicas.add_backend(replica_2_events);
}
