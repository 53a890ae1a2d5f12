# SPDX-License-Identifier: GPL-3.0-or-later
# A throw-away PKI for the TLS tests, made at test time with the
# `openssl` command: EC P-256 keys (milliseconds each, unlike RSA), once
# per bats file.  Call make_pki from setup_file; the files live under
# $PKI ($BATS_FILE_TMPDIR/pki), every certificate with its key beside it
# (NAME.pem, NAME.key):
#
#   ca          the test CA ("sockline test CA"); the system store does
#               not know it
#   server      signed by ca; CN sockline-test-server; SANs localhost,
#               test.sockline.invalid, 127.0.0.1, ::1
#   expired     like server, but valid only during January 2020
#   wrongname   signed by ca; its only SAN is wrong.example
#   selfsigned  the same SANs as server, signed by its own key
#   client      a client certificate signed by ca (sockline-test-client)
#   ca2         a second CA, and client2, a client certificate it signed
#
# make_pki prints nothing when it succeeds; on a failure it prints what
# openssl said and returns 1.

PKI="$BATS_FILE_TMPDIR/pki"
PKI_SANS="DNS:localhost,DNS:test.sockline.invalid,IP:127.0.0.1,IP:::1"

# pki_run CMD...: runs an openssl command quietly, showing its output
# only when it fails.
pki_run() {
	local out
	out=$("$@" 2>&1) || {
		printf 'pki: %s failed:\n%s\n' "$*" "$out" >&2
		return 1
	}
}

# pki_key NAME: an EC P-256 key in $PKI/NAME.key.
pki_key() {
	pki_run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$PKI/$1.key"
}

# pki_ca NAME CN: a self-signed CA certificate.
pki_ca() {
	pki_key "$1" || return 1
	pki_run openssl req -new -x509 -key "$PKI/$1.key" -out "$PKI/$1.pem" \
		-days 30 -subj "/O=sockline tests/CN=$2" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign"
}

# pki_leaf NAME CN CA USAGE SANS [STARTDATE ENDDATE]: a certificate for
# a new key, signed by CA, for USAGE (serverAuth or clientAuth).  With
# dates it goes through `openssl ca`, the only way openssl 3.0 can
# backdate one.
pki_leaf() {
	local name=$1 cn=$2 ca=$3 usage=$4 sans=$5 ext="$PKI/$1.ext"
	pki_key "$name" || return 1
	pki_run openssl req -new -key "$PKI/$name.key" -out "$PKI/$name.csr" \
		-subj "/O=sockline tests/CN=$cn" || return 1
	{
		echo "[leaf]"
		echo "basicConstraints = CA:FALSE"
		echo "keyUsage = critical,digitalSignature"
		echo "extendedKeyUsage = $usage"
		echo "subjectKeyIdentifier = hash"
		echo "authorityKeyIdentifier = keyid"
		[ -n "$sans" ] && echo "subjectAltName = $sans"
	} >"$ext"
	if [ $# -ge 7 ]; then
		mkdir -p "$PKI/db.$name"
		: >"$PKI/db.$name/index"
		{
			echo "[ca]"
			echo "default_ca = test"
			echo "[test]"
			echo "database = $PKI/db.$name/index"
			echo "new_certs_dir = $PKI/db.$name"
			echo "serial = $PKI/db.$name/serial"
			echo "default_md = sha256"
			echo "policy = any"
			echo "unique_subject = no"
			echo "[any]"
			echo "commonName = supplied"
			echo "organizationName = optional"
		} >"$PKI/db.$name/cnf"
		echo 1000 >"$PKI/db.$name/serial"
		pki_run openssl ca -batch -notext -config "$PKI/db.$name/cnf" \
			-cert "$PKI/$ca.pem" -keyfile "$PKI/$ca.key" \
			-startdate "$6" -enddate "$7" \
			-extfile "$ext" -extensions leaf \
			-in "$PKI/$name.csr" -out "$PKI/$name.pem"
	else
		pki_run openssl x509 -req -in "$PKI/$name.csr" -days 30 \
			-CA "$PKI/$ca.pem" -CAkey "$PKI/$ca.key" -CAcreateserial \
			-extfile "$ext" -extensions leaf -out "$PKI/$name.pem"
	fi
}

make_pki() {
	mkdir -p "$PKI" || return 1
	pki_ca ca "sockline test CA" &&
		pki_ca ca2 "sockline other test CA" &&
		pki_leaf server sockline-test-server ca serverAuth "$PKI_SANS" &&
		pki_leaf expired sockline-test-expired ca serverAuth "$PKI_SANS" \
			20200101000000Z 20200201000000Z &&
		pki_leaf wrongname sockline-test-wrongname ca serverAuth \
			"DNS:wrong.example" &&
		pki_leaf client sockline-test-client ca clientAuth "" &&
		pki_leaf client2 sockline-test-client2 ca2 clientAuth "" || return 1
	pki_key selfsigned &&
		pki_run openssl req -new -x509 -key "$PKI/selfsigned.key" \
			-out "$PKI/selfsigned.pem" -days 30 \
			-subj "/O=sockline tests/CN=sockline-test-selfsigned" \
			-addext "subjectAltName=$PKI_SANS" \
			-addext "extendedKeyUsage=serverAuth"
}

# pin_of CERT: the --tls-pin value for CERT: sha256: and the base64 of
# the SHA-256 of its SubjectPublicKeyInfo, as curl --pinnedpubkey.
pin_of() {
	printf 'sha256:%s\n' "$(openssl x509 -in "$1" -pubkey -noout |
		openssl pkey -pubin -outform der |
		openssl dgst -sha256 -binary | base64)"
}

# fingerprint_of CERT: the SHA-256 of CERT's DER, lower-case hex without
# colons.
fingerprint_of() {
	openssl x509 -in "$1" -outform der | openssl dgst -sha256 -r |
		cut -d' ' -f1
}

# hexes_of FILE: FILE lower-cased with colons removed, so a fingerprint
# printed as AB:CD:... or abcd... can be found with grep.
hexes_of() {
	tr -d ':' <"$1" | tr 'A-F' 'a-f'
}
