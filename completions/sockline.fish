# SPDX-License-Identifier: GPL-3.0-or-later
# fish completion for sockline(1)
# Installed as share/fish/vendor_completions.d/sockline.fish.

# __sockline_operands: how many operands come before the cursor, the
# arguments of options left out.
function __sockline_operands
    set -l long_with_arg backlog sh-exec delay exec idle-timeout max-conns \
        output source-port quit-after source wait allow deny history \
        port-file prompt reply replay script tls-alpn tls-ca tls-cert \
        tls-cert-out tls-ciphers tls-client-ca tls-key tls-max tls-min \
        tls-name tls-pin tls-keylog starttls proxy-protocol \
        proxy proxy-auth proxy-ca proxy-server
    set -l n 0
    set -l skip 0
    set -l endopts 0
    for t in (commandline -opc)[2..-1]
        if test $skip = 1
            set skip 0
        else if test $endopts = 1
            set n (math $n + 1)
        else if test "$t" = --
            set endopts 1
        else if string match -qr -- '^--[^=]+$' $t
            contains -- (string sub -s 3 -- $t) $long_with_arg; and set skip 1
        else if string match -qr -- '^-[^-]' $t
            # Short options, maybe bundled: -lvp 80, -ofile.
            string match -qr -- '^-[^bcdeimopqswX]*[bcdeimopqswX]$' $t; and set skip 1
        else if not string match -q -- '-*' $t
            set n (math $n + 1)
        end
    end
    echo $n
end

# __sockline_unix: -U or --unix is on the command line.
function __sockline_unix
    for t in (commandline -opc)[2..-1]
        test "$t" = --; and return 1
        test "$t" = --unix; and return 0
        string match -qr -- '^-[^-bcdeimopqswX]*U' $t; and return 0
    end
    return 1
end

# __sockline_listen_port: -l with -p PORT, so that the only operand is a host.
function __sockline_listen_port
    set -l tokens (commandline -opc)[2..-1]
    set -l l 0
    set -l p 0
    for t in $tokens
        test "$t" = --; and break
        switch $t
            case --listen
                set l 1
            case '--source-port' '--source-port=*'
                set p 1
            case '--*'
            case '-*'
                string match -qr -- '^-[^-bcdeimopqswX]*l' $t; and set l 1
                string match -qr -- '^-[^-bcdeimopqswX]*p' $t; and set p 1
        end
    end
    test $l = 1 -a $p = 1
end

# __sockline_services: the service names of /etc/services, with their port.
function __sockline_services
    awk '!/^#/ && NF && !seen[$1]++ { print $1 "\t" $2 }' /etc/services 2>/dev/null
end

# Operands are hosts and ports, not files, unless -U says so.
complete -c sockline -f

complete -c sockline -s 4 -d 'Use IPv4 only'
complete -c sockline -s 6 -d 'Use IPv6 only'
complete -c sockline -s b -l backlog -x -d 'listen(2) backlog (number)'
complete -c sockline -s C -l crlf -d 'Send line ends as CRLF (answers too)'
complete -c sockline -s c -l sh-exec -x -a '(__fish_complete_command)' -d 'Connect each client to /bin/sh -c CMD'
complete -c sockline -s d -l delay -x -d 'Wait SECS between lines sent'
complete -c sockline -s e -l exec -x -a '(__fish_complete_command)' -d 'Connect each client to CMD (no shell)'
complete -c sockline -s h -l help -d 'Show the help and exit'
complete -c sockline -s i -l idle-timeout -x -d 'Quit when idle for SECS'
complete -c sockline -s k -l keep-open -d 'Serve many clients at once, keep running'
complete -c sockline -s l -l listen -d 'Listen instead of connecting'
complete -c sockline -s m -l max-conns -x -d 'At most N clients at once'
complete -c sockline -s n -l numeric -d 'No DNS or service-name lookups'
complete -c sockline -s o -l output -r -F -d 'Also write a session log to FILE'
complete -c sockline -s p -l source-port -x -a '(__sockline_services)' -d 'Port to listen on, or local port'
complete -c sockline -s q -l quit-after -x -d 'After end of input, wait at most SECS'
complete -c sockline -s s -l source -x -n 'not __sockline_unix' -a '(__fish_print_hostnames)' -d 'Local address to bind'
complete -c sockline -s s -l source -r -F -n __sockline_unix -d 'Local unix path to bind'
complete -c sockline -s U -l unix -d 'The operand is a unix socket path'
complete -c sockline -s u -l udp -d 'Datagrams: UDP, or unix datagram with -U'
complete -c sockline -s V -l version -d 'Show the version and exit'
complete -c sockline -s v -l verbose -d 'Status lines on stderr (-vv: bytes per connection)'
complete -c sockline -s w -l wait -x -d 'Connect timeout (seconds)'
complete -c sockline -s x -l hex -d 'Show received data as a hex dump'
complete -c sockline -s z -l zero -d 'Probe: connect and close'
complete -c sockline -l allow -x -d 'Accept only these peers (ADDR[/LEN])'
complete -c sockline -l batch -d 'No prompt, exact bytes, even on a terminal'
complete -c sockline -l deny -x -d 'Refuse these peers (ADDR[/LEN])'
complete -c sockline -l echo -d 'Send every byte back'
complete -c sockline -l history -r -F -d 'The history file'
complete -c sockline -l interactive -d 'Use the prompt even when stdin is not a terminal'
complete -c sockline -l lockstep -d 'Send a line, print one reply, then the next'
complete -c sockline -l no-commands -d 'Send every typed line, exit and /commands too'
complete -c sockline -l no-history -d 'Neither read nor write a history file'
complete -c sockline -l no-shutdown -d 'Do not half-close at end of input'
complete -c sockline -l no-split -d 'Datagrams: send each read whole'
complete -c sockline -l port-file -r -F -d 'Write the bound port to FILE'
complete -c sockline -l prompt -x -d 'The prompt text'
complete -c sockline -l raw -d 'Show control bytes from the peer unescaped'
complete -c sockline -l recv-only -d 'Only receive'
complete -c sockline -l replay -r -F -d 'Play the other side of an -o session log'
complete -c sockline -l replay-timing -d "--replay: keep the log's pauses before each send"
complete -c sockline -l reply -x -d 'Answer each message with TEXT'
complete -c sockline -l script -r -F -d 'Run a chat script with the peer'
complete -c sockline -l send-only -d 'Only send'
complete -c sockline -l timestamps -d 'The time before each received line'
complete -c sockline -l upper -d 'Send every byte back upper-cased'
complete -c sockline -l broker -d "Relay each client's bytes to the others"
complete -c sockline -l chat -d 'Relay lines as <userN>, with notices'
complete -c sockline -l proxy-protocol -x -a 'v1 v2' -d 'Client: send a PROXY header first'
complete -c sockline -l accept-proxy-protocol -d 'Listen: each client sends a PROXY header first'
complete -c sockline -l tls -d 'TLS over the stream, verified'
complete -c sockline -l ssl -d 'The same as --tls'
complete -c sockline -l insecure -d 'TLS client: do not verify the peer'
complete -c sockline -l tls-alpn -x -d 'TLS: ALPN protocols, comma-separated'
complete -c sockline -l tls-ca -r -F -d 'TLS client: trust these CAs (FILE or DIR)'
complete -c sockline -l tls-cert -r -F -d 'TLS: our certificate (PEM)'
complete -c sockline -l tls-cert-out -r -F -d 'TLS listen: write the generated certificate'
complete -c sockline -l tls-ciphers -x -d 'TLS: cipher list and suites'
complete -c sockline -l tls-client-ca -r -F -d 'TLS listen: require client certificates from this CA'
complete -c sockline -l tls-key -r -F -d 'TLS: the key of --tls-cert (PEM)'
complete -c sockline -l tls-max -x -a '1.2 1.3' -d 'TLS: newest version'
complete -c sockline -l tls-min -x -a '1.2 1.3' -d 'TLS: oldest version'
complete -c sockline -l tls-name -x -a '(__fish_print_hostnames)' -d 'TLS client: the name to check and send as SNI'
complete -c sockline -l tls-pin -x -a 'sha256:' -d 'TLS client: accept only this key (sha256:BASE64)'
complete -c sockline -l tls-keylog -r -F -d 'TLS: append the session keys to FILE (NSS key log)'
complete -c sockline -l starttls -x -a 'smtp lmtp imap pop3 ftp nntp sieve xmpp postgres ldap' -d 'TLS after the plaintext dialogue of PROTO'

# The operands: a socket path with -U; else a host, then a port (with
# -l -p PORT, a host alone).
complete -c sockline -n '__sockline_unix; and test (__sockline_operands) = 0' -F
complete -c sockline -n 'not __sockline_unix; and test (__sockline_operands) = 0' -a '(__fish_print_hostnames)'
complete -c sockline -n 'not __sockline_unix; and not __sockline_listen_port; and test (__sockline_operands) = 1' -a '(__sockline_services)'
complete -c sockline -s X -x -a '4 5 connect' -d 'Kind of --proxy HOST[:PORT]'
complete -c sockline -l proxy -x -a 'socks4:// socks4a:// socks5:// socks5h:// http:// https://' -d 'Connect through a proxy'
complete -c sockline -l proxy-auth -x -d 'Proxy credentials USER:PASS'
complete -c sockline -l proxy-ca -r -F -d 'https proxy: trust these CAs'
complete -c sockline -l proxy-insecure -d 'https proxy: do not verify it'
complete -c sockline -l proxy-server -x -a 'http socks5' -d 'Listen -k: be a proxy'
