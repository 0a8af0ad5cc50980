package dev.slipstream.junit5.internal;

import dev.slipstream.testing.FakePhoenixServer;
import dev.slipstream.testing.script.ScriptedServer;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Puts the server into fields of the test class: fields of type {@link ScriptedServer} or
 * {@link FakePhoenixServer}, in the class and its superclasses. A field is filled when it is {@code null}, already
 * holds this server, or holds a server that no longer runs (the previous test's, under
 * {@code @TestInstance(PER_CLASS)}); a field holding a running server of the test's own, or a final field the test
 * assigned itself, is left alone. A final field left {@code null} is an error.
 *
 * <pre>{@code
 * Injection.injectInstance(testInstance, server);
 * }</pre>
 */
public final class Injection {
    private Injection() {}

    /** Whether the extension resolves parameters and fills fields of this type. */
    public static boolean isServerType(Class<?> type) {
        return type == ScriptedServer.class || type == FakePhoenixServer.class;
    }

    /** The value for a parameter or field of {@code type}. */
    public static Object valueFor(Class<?> type, ScriptedServer server) {
        return type == FakePhoenixServer.class ? server.server() : server;
    }

    /** Fails when a static server field exists although every test gets its own server. */
    public static void rejectStaticFields(Class<?> testClass) {
        for (Field f : serverFields(testClass)) {
            if (Modifier.isStatic(f.getModifiers())) {
                throw new ExtensionConfigurationException("static field '" + f.getName() + "' of "
                        + f.getDeclaringClass().getName() + " cannot hold a Slipstream server: each test gets its own "
                        + "server. Make the field non-static, or share one server per class with "
                        + "@SlipstreamTest(perClass = true) or a static @RegisterExtension field.");
            }
        }
    }

    /** Fills the static server fields of {@code testClass}, for a server shared by the class. */
    public static void injectStatic(Class<?> testClass, ScriptedServer server) {
        for (Field f : serverFields(testClass)) {
            if (Modifier.isStatic(f.getModifiers())) {
                set(f, null, server);
            }
        }
    }

    /** Fills the instance server fields of {@code instance}. */
    public static void injectInstance(Object instance, ScriptedServer server) {
        for (Field f : serverFields(instance.getClass())) {
            if (!Modifier.isStatic(f.getModifiers())) {
                set(f, instance, server);
            }
        }
    }

    /** The name of the field of the test class holding {@code extension}, or null. */
    public static String fieldHolding(ExtensionContext context, Object extension) {
        Optional<Object> instance = context.getTestInstance();
        for (Class<?> c = context.getRequiredTestClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!f.getType().isInstance(extension)) {
                    continue;
                }
                boolean isStatic = Modifier.isStatic(f.getModifiers());
                if (!isStatic && instance.isEmpty()) {
                    continue;
                }
                try {
                    f.setAccessible(true);
                    if (f.get(isStatic ? null : instance.get()) == extension) {
                        return f.getName();
                    }
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // Unreadable field: it cannot be the one JUnit registered.
                }
            }
        }
        return null;
    }

    private static List<Field> serverFields(Class<?> testClass) {
        List<Field> out = new ArrayList<>();
        for (Class<?> c = testClass; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (isServerType(f.getType())) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    private static void set(Field f, Object target, ScriptedServer server) {
        Object value = valueFor(f.getType(), server);
        try {
            f.setAccessible(true);
            Object old = f.get(target);
            if (Modifier.isFinal(f.getModifiers())) {
                if (old == null) {
                    // A final field the test left null can only be meant for injection, which cannot reach it.
                    throw new ExtensionConfigurationException("field '" + f.getName() + "' of "
                            + f.getDeclaringClass().getName() + " is final, so the Slipstream server cannot be injected "
                            + "into it; remove 'final' (or take the server as a parameter instead)");
                }
                return; // assigned by the test itself, e.g. from a constructor parameter
            }
            if (old == null || old == value || !isRunning(old)) {
                f.set(target, value);
            }
        } catch (ExtensionConfigurationException e) {
            throw e;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExtensionConfigurationException("cannot inject the Slipstream server into field '" + f.getName()
                    + "' of " + f.getDeclaringClass().getName() + ": " + e, e);
        }
    }

    private static boolean isRunning(Object server) {
        if (server instanceof ScriptedServer s) {
            return s.server().isRunning();
        }
        return server instanceof FakePhoenixServer f && f.isRunning();
    }
}
