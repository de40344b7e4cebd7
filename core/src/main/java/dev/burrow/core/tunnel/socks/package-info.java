/** A local SOCKS5 front end (CONNECT, no authentication) that needs no privileges. */
package dev.burrow.core.tunnel.socks;
