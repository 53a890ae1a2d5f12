# fish completion for sockline(1)
# Installed as share/fish/vendor_completions.d/sockline.fish.

complete -c sockline -s 4 -d 'Use IPv4 only'
complete -c sockline -s 6 -d 'Use IPv6 only'
complete -c sockline -s b -l backlog -x -d 'listen(2) backlog (number)'
complete -c sockline -s h -l help -d 'Show the help and exit'
complete -c sockline -s l -l listen -d 'Listen instead of connecting'
complete -c sockline -s n -l numeric -d 'No DNS or service-name lookups'
complete -c sockline -s p -l source-port -x -a '(__fish_print_services)' -d 'Port to listen on, or local port'
complete -c sockline -s q -l quit-after -x -d 'After end of input, wait at most SECS'
complete -c sockline -s s -l source -x -a '(__fish_print_hostnames)' -d 'Local address to bind'
complete -c sockline -s V -l version -d 'Show the version and exit'
complete -c sockline -s v -l verbose -d 'Status lines on stderr'
complete -c sockline -l no-shutdown -d 'Do not half-close at end of input'
complete -c sockline -l port-file -r -F -d 'Write the bound port to FILE'
complete -c sockline -n '__fish_is_first_arg' -x -a '(__fish_print_hostnames)'
