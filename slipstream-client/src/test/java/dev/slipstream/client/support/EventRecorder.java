package dev.slipstream.client.support;

import dev.slipstream.client.event.ClientEvent;
import dev.slipstream.client.event.ClientEventListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every event of a client for assertions. */
public final class EventRecorder implements ClientEventListener {
    private final List<ClientEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(ClientEvent event) {
        events.add(event);
    }

    public List<ClientEvent> all() {
        return List.copyOf(events);
    }

    public <T extends ClientEvent> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public int count(Class<? extends ClientEvent> type) {
        return of(type).size();
    }

    public <T extends ClientEvent> T last(Class<T> type) {
        List<T> list = of(type);
        return list.isEmpty() ? null : list.get(list.size() - 1);
    }
}
