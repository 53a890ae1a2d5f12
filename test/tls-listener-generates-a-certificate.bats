#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# A TLS listener (design item 19): without --tls-cert it makes a
# temporary ECDSA P-256 certificate for localhost, 127.0.0.1, ::1 and the
# host it listens on; --tls-cert-out writes it before the port file, so
# a test client can verify it; -v shows its fingerprint.  With
# --tls-cert/--tls-key it presents exactly that certificate.

load helpers/common
load helpers/pki
load helpers/tls

setup_file() {
	make_pki
}

# listener NAME ARGS...: `sockline -l ARGS --port-file` started as NAME;
# returns once the port file exists, with the port in $port.
listener() {
	local name=$1
	shift
	bg "$name" "$SOCKLINE" -l "$@" --port-file "$T/$name.port"
	port=$(port_of "$T/$name.port")
}

@test "--tls-cert-out is written before the port file and sockline verifies the listener with it" {
	listener srv 0 --tls --echo --tls-cert-out "$T/ca.pem"
	# The port file is there: the certificate must already be complete.
	openssl x509 -in "$T/ca.pem" -noout
	printf 'through the generated cert\n' >"$T/in"
	run --separate-stderr timeout 20 "$SOCKLINE" --tls --tls-ca "$T/ca.pem" \
		127.0.0.1 "$port" <"$T/in"
	assert_success
	assert_output "through the generated cert"
	assert_equal "$stderr" ""
}

@test "a python client verifies the generated certificate for 127.0.0.1, ::1 and localhost" {
	listener srv 0 -k --tls --echo --tls-cert-out "$T/ca.pem"
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		--info "$T/v4.info" send:'v4\n' expect:'v4\n' close
	assert_success
	run timeout 20 tls-peer.py --connect ::1 --port "$port" --ca "$T/ca.pem" \
		send:'v6\n' expect:'v6\n' close
	assert_success
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$T/ca.pem" \
		--name localhost send:'name\n' expect:'name\n' close
	assert_success
	assert_equal "$(sed -n 's/^peer_sha256=//p' "$T/v4.info")" \
		"$(fingerprint_of "$T/ca.pem")"
}

@test "the generated certificate is ECDSA P-256, not RSA, and names localhost, 127.0.0.1 and ::1" {
	listener srv 0 --tls --echo --tls-cert-out "$T/ca.pem"
	run openssl x509 -in "$T/ca.pem" -noout -text
	assert_success
	assert_output --partial "id-ecPublicKey"
	assert_output --regexp "(prime256v1|P-256)"
	refute_output --partial "rsaEncryption"
	assert_output --partial "DNS:localhost"
	assert_output --partial "IP Address:127.0.0.1"
	assert_output --partial "IP Address:0:0:0:0:0:0:0:1"
}

@test "the generated certificate also names the host listened on, and a client verifies it there" {
	listener srv 127.0.0.2 0 --tls --echo --tls-cert-out "$T/ca.pem"
	run openssl x509 -in "$T/ca.pem" -noout -ext subjectAltName
	assert_output --partial "IP Address:127.0.0.2"
	run timeout 20 tls-peer.py --connect 127.0.0.2 --port "$port" --ca "$T/ca.pem" \
		send:'there\n' expect:'there\n' close
	assert_success
}

@test "-v prints the generated certificate's SHA-256 fingerprint" {
	listener srv 0 -v --tls --echo --tls-cert-out "$T/ca.pem"
	wait_until file_has_fingerprint "$T/srv.err" "$T/ca.pem"
}

@test "each listener makes its own key" {
	listener one 0 --tls --echo --tls-cert-out "$T/one.pem"
	listener two 0 --tls --echo --tls-cert-out "$T/two.pem"
	[ "$(pin_of "$T/one.pem")" != "$(pin_of "$T/two.pem")" ]
}

@test "--tls-cert-out makes a file of mode 0644 less the umask" {
	(umask 027 && listener srv 0 --tls --echo --tls-cert-out "$T/ca.pem" &&
		echo "$srv_pid" >"$T/srv.pid")
	srv_pid=$(cat "$T/srv.pid")
	assert_equal "$(stat -c %a "$T/ca.pem")" 640
}

@test "--tls-cert and --tls-key on a listener are what the python client sees" {
	listener srv 0 --tls --echo --tls-cert "$PKI/server.pem" --tls-key "$PKI/server.key"
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$PKI/ca.pem" \
		--name test.sockline.invalid --info "$T/c.info" \
		send:'mine\n' expect:'mine\n' close
	assert_success
	assert_equal "$(sed -n 's/^peer_sha256=//p' "$T/c.info")" \
		"$(fingerprint_of "$PKI/server.pem")"
}

@test "--tls-cert may hold the key too" {
	cat "$PKI/server.pem" "$PKI/server.key" >"$T/both.pem"
	listener srv 0 --tls --echo --tls-cert "$T/both.pem"
	run timeout 20 tls-peer.py --connect 127.0.0.1 --port "$port" --ca "$PKI/ca.pem" \
		--info "$T/c.info" send:'both\n' expect:'both\n' close
	assert_success
	assert_equal "$(sed -n 's/^peer_sha256=//p' "$T/c.info")" \
		"$(fingerprint_of "$PKI/server.pem")"
}

@test "a key that is not the certificate's is refused at start-up with exit 1 and no port file" {
	run --separate-stderr timeout 20 "$SOCKLINE" -l 0 --tls --echo \
		--tls-cert "$PKI/server.pem" --tls-key "$PKI/client.key" \
		--port-file "$T/p"
	assert_failure 1
	assert_one_line "$stderr"
	[[ "$stderr" == *server.pem* || "$stderr" == *client.key* ]] ||
		fail "names neither file: $stderr"
	[ ! -e "$T/p" ]
}

@test "a TLS listener over a unix socket serves a python client that verifies it" {
	bg srv "$SOCKLINE" -v -l --tls --echo --tls-cert "$PKI/server.pem" \
		--tls-key "$PKI/server.key" -U "$T/s"
	wait_line "$T/srv.err" "^Listening on $T/s\$"
	run timeout 20 tls-peer.py --unix "$T/s" --ca "$PKI/ca.pem" --name localhost \
		send:'unix listener\n' expect:'unix listener\n' close
	assert_success
}
