package dev.burrow.core.tunnel.ssh.io;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.Property;
import org.apache.sshd.common.io.DefaultIoConnectFuture;
import org.apache.sshd.common.io.IoConnectFuture;
import org.apache.sshd.common.io.IoConnector;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoServiceEventListener;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.util.closeable.AbstractCloseable;
import org.apache.sshd.common.util.io.IoUtils;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * Connects MINA sessions, each on a platform thread of its own ({@code burrow-ssh-io-<server address>}) that connects, then stays
 * as the session's I/O thread (see {@link SingleThreadIoSession}). A tunnel has one session at a time, so one thread
 * per session costs nothing, and a thread blocked in {@code epoll_wait} is woken by the kernel directly, where NIO2's
 * epoll thread would wake a pool thread for every read.
 */
final class SingleThreadIoConnector extends AbstractCloseable implements IoConnector {
    private final FactoryManager manager;
    private final IoHandler handler;
    private final Map<Long, IoSession> sessions = new ConcurrentHashMap<>();
    private volatile IoServiceEventListener listener;

    SingleThreadIoConnector(FactoryManager manager, IoHandler handler) {
        this.manager = Objects.requireNonNull(manager, "manager");
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    @Override
    public IoConnectFuture connect(SocketAddress address, AttributeRepository context, SocketAddress localAddress) {
        DefaultIoConnectFuture future = new DefaultIoConnectFuture(address, null);
        if (isClosing()) {
            future.setException(new IOException("the SSH connector is closed"));
            return future;
        }
        Thread.ofPlatform().daemon().name("burrow-ssh-io-" + address)
                .start(() -> connectAndServe(address, context, localAddress, future));
        return future;
    }

    private void connectAndServe(SocketAddress address, AttributeRepository context, SocketAddress localAddress,
                                 DefaultIoConnectFuture future) {
        SocketChannel channel = null;
        Selector selector = null;
        SingleThreadIoSession session = null;
        try {
            channel = SocketChannel.open();
            configure(channel);
            if (localAddress != null) {
                channel.bind(localAddress);
            }
            selector = Selector.open();
            connect(channel, selector, address, CoreModuleProperties.IO_CONNECT_TIMEOUT.getRequired(manager), future);
            IoServiceEventListener events = listener;
            if (events != null) {
                events.connectionEstablished(this, channel.getLocalAddress(), context, channel.getRemoteAddress());
            }
            session = new SingleThreadIoSession(this, manager, handler, channel, selector);
            if (context != null) {
                session.setAttribute(AttributeRepository.class, context);
            }
            handler.sessionCreated(session);
            sessions.put(session.getId(), session);
            future.setSession(session);
            if (future.getSession() != session) { // cancelled meanwhile
                session.close(true);
                return;
            }
        } catch (Throwable e) {
            if (session != null) {
                session.close(true);
            } else {
                IoUtils.closeQuietly(channel, selector);
            }
            future.setException(e);
            return;
        }
        session.serve();
    }

    /** A non-blocking connect, waited for on the selector, so that the timeout and a cancellation are honoured. */
    private static void connect(SocketChannel channel, Selector selector, SocketAddress address, Duration timeout,
                                DefaultIoConnectFuture future) throws IOException {
        channel.configureBlocking(false);
        if (channel.connect(address)) {
            return;
        }
        SelectionKey key = channel.register(selector, SelectionKey.OP_CONNECT);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!channel.finishConnect()) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new SocketTimeoutException("connect to " + address + " timed out after " + timeout);
            }
            if (future.isCanceled()) {
                throw new IOException("connect to " + address + " was cancelled");
            }
            selector.select(Math.min(left, 1000));
            selector.selectedKeys().clear();
        }
        key.interestOps(0);
    }

    private void configure(SocketChannel channel) throws IOException {
        option(channel, StandardSocketOptions.TCP_NODELAY, CoreModuleProperties.TCP_NODELAY);
        option(channel, StandardSocketOptions.SO_KEEPALIVE, CoreModuleProperties.SOCKET_KEEPALIVE);
        option(channel, StandardSocketOptions.SO_SNDBUF, CoreModuleProperties.SOCKET_SNDBUF);
        option(channel, StandardSocketOptions.SO_RCVBUF, CoreModuleProperties.SOCKET_RCVBUF);
        option(channel, StandardSocketOptions.SO_LINGER, CoreModuleProperties.SOCKET_LINGER);
        option(channel, StandardSocketOptions.SO_REUSEADDR, CoreModuleProperties.SOCKET_REUSEADDR);
    }

    /** Sets what the client's properties set explicitly; the kernel's defaults otherwise, as MINA's NIO2 does. */
    private <T> void option(SocketChannel channel, SocketOption<T> option, Property<T> property) throws IOException {
        T value = property.getOrNull(manager);
        if (value != null) {
            channel.setOption(option, value);
        }
    }

    void sessionClosed(SingleThreadIoSession session) {
        sessions.remove(session.getId());
    }

    @Override
    public Map<Long, IoSession> getManagedSessions() {
        return Map.copyOf(sessions);
    }

    @Override
    protected void doCloseImmediately() {
        for (IoSession session : sessions.values()) {
            session.close(true);
        }
        super.doCloseImmediately();
    }

    @Override
    public IoServiceEventListener getIoServiceEventListener() {
        return listener;
    }

    @Override
    public void setIoServiceEventListener(IoServiceEventListener listener) {
        this.listener = listener;
    }
}
