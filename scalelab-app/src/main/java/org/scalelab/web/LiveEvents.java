package org.scalelab.web;

import io.javalin.http.sse.SseClient;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.scalelab.io.Json;

/**
 * Server-sent events to every open page ({@code GET /api/events}): the lab changed, a job moved on. A
 * page subscribes with {@code new EventSource('/api/events')} and listens for the event names it needs.
 */
public final class LiveEvents implements AutoCloseable {
    private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();

    /** Keeps {@code client} open and sends it every event published from now on. */
    public void add(SseClient client) {
        client.keepAlive();
        client.onClose(() -> clients.remove(client));
        clients.add(client);
    }

    /** Sends {@code data} as JSON under the event name {@code event} to every open page. */
    public void publish(String event, Object data) {
        String json = Json.write(data);
        for (SseClient c : clients) {
            if (c.terminated()) {
                clients.remove(c);
            } else {
                c.sendEvent(event, json);
            }
        }
    }

    /** How many pages listen now. */
    public int listeners() {
        return clients.size();
    }

    @Override
    public void close() {
        for (SseClient c : clients) {
            c.close();
        }
        clients.clear();
    }
}
