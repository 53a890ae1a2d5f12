#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# "localhost." is localhost, fully qualified: the root's dot is in
# neither SNI (RFC 6066) nor a certificate's names, so sockline drops it
# before sending and checking the name, as curl and browsers do.

load helpers/common
load helpers/tls

@test "--tls-name with a trailing dot is checked and sent as SNI without it" {
	bg srv "$SOCKLINE" -l 127.0.0.1 0 -v --tls --echo \
		--tls-cert-out "$T/ca.pem" --port-file "$T/p"
	port=$(port_of "$T/p")
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$T/ca.pem" \
		--tls-name localhost. 127.0.0.1 "$port" <<<'fully qualified'
	assert_success
	assert_output 'fully qualified'
	wait_line "$T/srv.err" ', SNI localhost, '
}

@test "a name longer than a host name can be is refused with one line" {
	bg srv "$SOCKLINE" -l 127.0.0.1 0 --tls --echo \
		--tls-cert-out "$T/ca.pem" --port-file "$T/p"
	port=$(port_of "$T/p")
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$T/ca.pem" \
		--tls-name "$(printf 'a%.0s' {1..300})" 127.0.0.1 "$port" <<<'never'
	assert_failure 1
	assert_one_line "$stderr"
	assert_regex "$stderr" 'too long for a host name'
}
