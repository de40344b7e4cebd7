package dev.burrow.app.cli;

import dev.burrow.core.tunnel.MetricsPublisher;
import dev.burrow.core.tunnel.SessionState;
import dev.burrow.core.tunnel.TunnelCounters;
import dev.burrow.core.tunnel.TunnelMetrics;
import dev.burrow.core.tunnel.capture.CaptureSpec;
import dev.burrow.core.tunnel.capture.Subnet;
import dev.burrow.core.tunnel.capture.TransparentCapture;
import dev.burrow.core.tunnel.dns.ResolvConf;
import dev.burrow.core.tunnel.relay.Relay;
import dev.burrow.core.tunnel.socks.Socks5Server;
import dev.burrow.core.tunnel.ssh.ChannelOpenRefusedException;
import dev.burrow.core.tunnel.ssh.HostKeyPolicy;
import dev.burrow.core.tunnel.ssh.PassphrasePrompt;
import dev.burrow.core.tunnel.ssh.SshConfig;
import dev.burrow.core.tunnel.ssh.SshEndpoint;
import dev.burrow.core.tunnel.ssh.SshIdentities;
import dev.burrow.core.tunnel.ssh.SshSettings;
import dev.burrow.core.tunnel.ssh.SshTransport;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code burrow tunnel -r [USER@]HOST[:PORT] SUBNET...}: an sshuttle-style tunnel over one SSH connection. Runs until
 * interrupted (Ctrl-C, SIGTERM) or until the SSH server becomes unusable for good (changed host key, refused login).
 */
@Command(name = "tunnel", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Send TCP connections through an SSH server, like sshuttle, with no software on the server."
                + " With --method socks (the default without root) it runs a SOCKS5 proxy instead: point applications"
                + " at it, e.g. curl --socks5-hostname 127.0.0.1:1080 URL; names are resolved on the server's side.",
        footer = {"",
                "SUBNET is 10.0.0.0/8, 192.168.1.7, 0/0 or 2001:db8::/32; with ports 10.0.0.0/8:443,"
                        + " 10.0.0.0/8:8000-8999 or [2001:db8::]/32:443.",
                "Host keys are checked against ~/.ssh/known_hosts; an unknown host is refused unless --accept-new."})
final class TunnelCommand implements java.util.concurrent.Callable<Integer> {
    enum Method { NFT, SOCKS }

    static final int DEFAULT_SOCKS_PORT = 1080;

    @ParentCommand
    BurrowCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = {"-r", "--remote"}, required = true, paramLabel = "[USER@]HOST[:PORT]",
            description = "The SSH server; HOST may be an alias from ~/.ssh/config.")
    String remote;

    @Option(names = {"-i", "--identity"}, paramLabel = "KEY",
            description = "Private key file (repeatable). Default: IdentityFile from ~/.ssh/config, else"
                    + " ~/.ssh/id_ed25519, id_ecdsa, id_rsa; the ssh-agent ($SSH_AUTH_SOCK) is always tried first.")
    List<Path> keys = new ArrayList<>();

    @Parameters(paramLabel = "SUBNET[:PORTS]", arity = "0..*", description = "Destinations to capture (nft).")
    List<String> subnets = new ArrayList<>();

    @Option(names = {"-x", "--exclude"}, paramLabel = "SUBNET", description = "Destinations not to capture.")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--dns", description = "Capture DNS requests and resolve them on the server's side (nft).")
    boolean dns;

    @Option(names = "--method", paramLabel = "nft|socks",
            description = "nft: transparent capture (root); socks: SOCKS5 proxy. Default: nft as root, else socks.")
    String method;

    @Option(names = "--socks", paramLabel = "[ADDR:]PORT",
            description = "SOCKS5 listen address (default 127.0.0.1:" + DEFAULT_SOCKS_PORT + ").")
    String socks;

    @Option(names = "--accept-new", description = "Add an unknown host's key to known_hosts (never a changed one).")
    boolean acceptNew;

    @Option(names = "--known-hosts", paramLabel = "FILE", description = "known_hosts file (default ~/.ssh/known_hosts).")
    Path knownHosts;

    @Option(names = "--to-ns", paramLabel = "IP[:PORT]",
            description = "With --dns: the resolver to ask, as the server sees it (default: the first nameserver"
                    + " in the server's /etc/resolv.conf).")
    String toNameserver;

    /** Everything the command line says, checked; usage errors are thrown as picocli parameter errors (exit 2). */
    record Plan(RemoteArgument remote, List<Subnet> include, List<Subnet> exclude, Method method,
                InetSocketAddress socks) { }

    Plan plan(boolean root) {
        RemoteArgument target;
        try {
            target = RemoteArgument.parse(remote);
        } catch (IllegalArgumentException e) {
            throw usage("bad -r '" + remote + "': " + e.getMessage());
        }
        List<Subnet> include = parseSubnets(subnets, "SUBNET");
        List<Subnet> exclude = parseSubnets(excludes, "-x");
        Method chosen;
        if (method == null) {
            chosen = root ? Method.NFT : Method.SOCKS;
        } else {
            try {
                chosen = Method.valueOf(method.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw usage("bad --method '" + method + "': use nft or socks");
            }
        }
        if (chosen == Method.NFT && include.isEmpty()) {
            throw usage("--method nft needs at least one SUBNET to capture");
        }
        return new Plan(target, include, exclude, chosen, parseSocks());
    }

    private List<Subnet> parseSubnets(List<String> texts, String what) {
        List<Subnet> out = new ArrayList<>();
        for (String text : texts) {
            try {
                out.add(Subnet.parse(text));
            } catch (IllegalArgumentException e) {
                throw usage("bad " + what + " '" + text + "': " + e.getMessage());
            }
        }
        return out;
    }

    private InetSocketAddress parseSocks() {
        if (socks == null) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), DEFAULT_SOCKS_PORT);
        }
        String host = "127.0.0.1";
        String port = socks;
        int close = socks.indexOf("]:");
        if (socks.startsWith("[") && close > 0) {
            host = socks.substring(1, close);
            port = socks.substring(close + 2);
        } else if (socks.lastIndexOf(':') >= 0) {
            host = socks.substring(0, socks.lastIndexOf(':'));
            port = socks.substring(socks.lastIndexOf(':') + 1);
        }
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            number = -1;
        }
        if (number < 0 || number > 65535) {
            throw usage("bad --socks '" + socks + "': port must be 0-65535 (write [ADDR:]PORT)");
        }
        try {
            return new InetSocketAddress(InetAddress.ofLiteral(host), number);
        } catch (IllegalArgumentException e) {
            throw usage("bad --socks '" + socks + "': '" + host + "' is not an IP address");
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        CliContext context = parent.context();
        PrintStream err = context.err();
        Plan plan = plan(isRoot());
        if (plan.method() == Method.SOCKS) {
            if (dns) {
                err.println("note: --dns applies to nft capture; through SOCKS5, host names are already resolved on"
                        + " the server's side (use socks5h:// or --socks5-hostname)");
            }
            if (!plan.include().isEmpty() || !plan.exclude().isEmpty()) {
                err.println("note: SUBNET and -x apply to nft capture; the SOCKS5 proxy forwards whatever its clients"
                        + " ask");
            }
        }
        InetSocketAddress resolver = plan.method() == Method.NFT && dns && toNameserver != null
                ? parseNameserver(toNameserver) : null;
        List<InetAddress> localResolvers = plan.method() == Method.NFT && dns
                ? ResolvConf.nameservers(ResolvConf.SYSTEM) : List.of();
        if (plan.method() == Method.NFT && dns && localResolvers.isEmpty()) {
            throw new IOException(ResolvConf.SYSTEM + " lists no nameserver, so --dns has nothing to capture");
        }

        Path sshDir = context.home().resolve(".ssh");
        String localUser = localUser(context);
        SshConfig.HostSettings config;
        try {
            config = SshConfig.read(sshDir.resolve("config"), context.home()).lookup(plan.remote().host(), localUser);
        } catch (IllegalArgumentException e) {
            throw new IOException(sshDir.resolve("config") + ": " + e.getMessage(), e);
        }
        SshEndpoint endpoint = new SshEndpoint(
                first(plan.remote().user(), config.user(), localUser),
                config.hostName() != null ? config.hostName() : plan.remote().host(),
                plan.remote().port() != 0 ? plan.remote().port() : config.port() != 0 ? config.port() : 22);
        List<Path> keyFiles = new ArrayList<>(keys);
        if (keyFiles.isEmpty()) {
            config.identityFiles().stream().filter(Files::isRegularFile).forEach(keyFiles::add);
        }
        String agent = context.getenv("SSH_AUTH_SOCK");
        PassphrasePrompt prompt = new ConsolePassphrasePrompt(System.console(), err);
        SshIdentities identities = SshIdentities.load(agent == null ? null : Path.of(agent), keyFiles, sshDir, prompt);
        Path hostsFile = knownHosts != null ? knownHosts : sshDir.resolve("known_hosts");

        TunnelCounters counters = new TunnelCounters();
        try (SshTransport transport = SshTransport.connect(endpoint, identities, hostsFile,
                acceptNew ? HostKeyPolicy.ACCEPT_NEW : HostKeyPolicy.STRICT, SshSettings.defaults(), counters);
             ExecutorService connections = Executors.newVirtualThreadPerTaskExecutor()) {
            Relay relay = new Relay(connections, counters, Relay.DEFAULT_BUFFER_SIZE);
            AutoCloseable frontEnd;
            String ready;
            if (plan.method() == Method.NFT) {
                InetSocketAddress server = resolveServer(endpoint);
                InetSocketAddress remoteResolver = !dns ? null
                        : resolver != null ? resolver : remoteNameserver(transport);
                CaptureSpec spec = new CaptureSpec(plan.include(), plan.exclude(), server, localResolvers, false);
                TransparentCapture capture = TransparentCapture.start(spec, TransparentCapture.Settings.DEFAULTS,
                        (socket, original) -> relay.dialAndRelay(socket, transport,
                                original.getAddress().getHostAddress(), original.getPort()),
                        transport, remoteResolver);
                frontEnd = capture;
                ready = "capturing " + plan.include() + (plan.exclude().isEmpty() ? "" : " except " + plan.exclude())
                        + (remoteResolver == null ? "" : ", DNS to " + hostAndPort(remoteResolver) + " on the server's"
                        + " side") + " (nft table " + capture.tableName() + ")";
            } else {
                Socks5Server server;
                try {
                    server = Socks5Server.start(plan.socks(), transport, relay, connections);
                } catch (BindException e) {
                    throw new BindException(hostAndPort(plan.socks()) + ": cannot listen there (" + e.getMessage()
                            + "); pick another with --socks [ADDR:]PORT");
                }
                frontEnd = server;
                ready = "SOCKS5 proxy on " + hostAndPort(server.address()) + " (e.g. curl --socks5-hostname "
                        + hostAndPort(server.address()) + " URL)";
            }
            try (MetricsPublisher metrics = new MetricsPublisher(counters, Duration.ofSeconds(1))) {
                err.println("tunnel to " + endpoint + " is up; " + ready);
                err.flush();
                StatusPrinter printer = new StatusPrinter(err, context.terminal());
                metrics.addListener(printer);
                AtomicBoolean refusalShown = new AtomicBoolean();
                transport.addDialFailureListener(e -> {
                    // The application sees its own error; a server that forbids forwarding deserves one line here,
                    // since every connection will fail the same way.
                    if (e instanceof ChannelOpenRefusedException refused && refused.administrativelyProhibited()
                            && !refusalShown.getAndSet(true)) {
                        printer.warning(refused.getMessage());
                    }
                });
                Throwable failure = null;
                try {
                    transport.closed().get();
                } catch (ExecutionException e) {
                    failure = e.getCause();
                } catch (InterruptedException e) {
                    // Ctrl-C or SIGTERM (Main interrupts us): the normal way to stop a tunnel.
                    connections.shutdownNow();
                } finally {
                    // Rules first, so nothing is redirected to a closed port; then the connections and the session.
                    closeFrontEnd(frontEnd);
                }
                metrics.removeListener(printer);
                printer.finish(counters.snapshot());
                if (failure != null) {
                    throw failure instanceof IOException io ? io : new IOException(failure);
                }
            } catch (IOException | RuntimeException e) {
                closeFrontEnd(frontEnd);
                throw e;
            }
        }
        return 0;
    }

    private static void closeFrontEnd(AutoCloseable frontEnd) {
        try {
            frontEnd.close(); // Idempotent for both front ends.
        } catch (Exception e) {
            System.getLogger(TunnelCommand.class.getName()).log(System.Logger.Level.WARNING,
                    "closing the tunnel's front end", e);
        }
    }

    /** The SSH server's address, resolved once before any rule exists, so the capture never swallows it. */
    private static InetSocketAddress resolveServer(SshEndpoint endpoint) throws IOException {
        try {
            return new InetSocketAddress(InetAddress.getByName(endpoint.host()), endpoint.port());
        } catch (java.net.UnknownHostException e) {
            throw new IOException(endpoint.host() + ": unknown host", e);
        }
    }

    /** The first nameserver of the server's /etc/resolv.conf, as the server itself reaches it. */
    private static InetSocketAddress remoteNameserver(SshTransport transport) throws IOException {
        String text;
        try {
            text = transport.execute("cat /etc/resolv.conf", Duration.ofSeconds(10));
        } catch (java.net.SocketTimeoutException e) {
            throw new IOException("reading the server's /etc/resolv.conf timed out after 10 s (the server did not"
                    + " run 'cat /etc/resolv.conf'); give the resolver with --to-ns IP", e);
        } catch (IOException e) {
            throw new IOException("cannot read the server's /etc/resolv.conf (" + e.getMessage()
                    + "); give the resolver with --to-ns IP", e);
        }
        List<InetAddress> servers = ResolvConf.nameservers(text);
        if (servers.isEmpty()) {
            throw new IOException("the server's /etc/resolv.conf lists no nameserver; give one with --to-ns IP");
        }
        return new InetSocketAddress(servers.getFirst(), 53);
    }

    private InetSocketAddress parseNameserver(String text) {
        String host = text;
        int port = 53;
        int close = text.indexOf("]:");
        int colon = text.lastIndexOf(':');
        try {
            if (text.startsWith("[") && close > 0) {
                host = text.substring(1, close);
                port = Integer.parseInt(text.substring(close + 2));
            } else if (colon >= 0 && colon == text.indexOf(':')) {
                host = text.substring(0, colon);
                port = Integer.parseInt(text.substring(colon + 1));
            }
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return new InetSocketAddress(InetAddress.ofLiteral(host), port);
        } catch (IllegalArgumentException e) {
            throw usage("bad --to-ns '" + text + "': write IP or IP:PORT ([IPv6]:PORT)");
        }
    }

    /** Prints the status line on a terminal every second, and state changes as lines otherwise. */
    static final class StatusPrinter implements java.util.function.Consumer<TunnelMetrics> {
        private final PrintStream err;
        private final boolean terminal;
        private final AtomicReference<SessionState> lastState = new AtomicReference<>(SessionState.UP);

        StatusPrinter(PrintStream err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
        }

        @Override
        public void accept(TunnelMetrics metrics) {
            synchronized (err) {
                if (terminal) {
                    err.print("\r" + TunnelStatus.line(metrics) + "\033[K");
                } else if (lastState.getAndSet(metrics.state()) != metrics.state()) {
                    err.println("tunnel: " + metrics.state().name().toLowerCase(Locale.ROOT));
                }
                err.flush();
            }
        }

        void warning(String message) {
            synchronized (err) {
                if (terminal) {
                    err.print("\r\033[K");
                }
                err.println("warning: " + message);
                err.flush();
            }
        }

        void finish(TunnelMetrics metrics) {
            synchronized (err) {
                if (terminal) {
                    err.print("\r\033[K");
                }
                err.println("tunnel closed: " + TunnelStatus.line(metrics));
                err.flush();
            }
        }
    }

    private static String hostAndPort(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static String first(String... values) {
        for (String value : values) {
            if (value != null && !value.isEmpty()) {
                return value;
            }
        }
        throw new IllegalStateException("no value");
    }

    private static String localUser(CliContext context) {
        String user = context.getenv("USER");
        return user != null ? user : System.getProperty("user.name");
    }

    private static boolean isRoot() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        } catch (RuntimeException | LinkageError e) {
            return false; // Not Unix: there is no nft capture anyway.
        }
    }
}
