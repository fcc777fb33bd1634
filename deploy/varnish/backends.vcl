# The content API's replicas, for content-api.vcl: one backend each, in one round-robin
# director named `replicas`. Edit the addresses; add a backend and an add_backend line per
# replica. The probe takes a replica out while it does not answer /healthz.

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

backend replica_2 {
    .host = "127.0.0.1";
    .port = "5001";
    .probe = content_api_health;
}

sub vcl_init {
    new replicas = directors.round_robin();
    replicas.add_backend(replica_1);
    replicas.add_backend(replica_2);
}
