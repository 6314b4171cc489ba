package dev.pharos.agent.config;

import java.util.Set;

/// Keywords keepalived knows (read from its parsers: `global_parser.c`, `vrrp_parser.c`,
/// `check_parser.c` and the `check_*.c` files), per block. A keyword listed here that Pharos has
/// no handler for is a warning and kept verbatim; a keyword found nowhere is an error.
final class Keywords {

    private Keywords() {
    }

    static final Set<String> TOP_LEVEL = Set.of(
            "global_defs", "vrrp_script", "vrrp_sync_group", "vrrp_instance", "virtual_server_group",
            "virtual_server", "static_ipaddress", "static_routes", "static_rules", "vrrp_track_process",
            "track_file", "vrrp_track_file", "garp_group", "linkbeat_interfaces", "net_namespace",
            "net_namespace_ipvs", "namespace_with_ipsets", "use_pid_dir", "instance", "child_wait_time",
            "bfd_instance", "SSL", "track_group", "linkbeat_use_polling", "process_names", "process_name",
            "vrrp_process_name", "checker_process_name", "bfd_process_name", "use_symlink_paths",
            "set_supplementary_groups");

    static final Set<String> GLOBAL_DEFS = Set.of(
            "router_id", "notification_email_from", "smtp_server", "smtp_helo_name", "smtp_connect_timeout",
            "notification_email", "smtp_alert", "startup_script", "startup_script_timeout", "shutdown_script",
            "shutdown_script_timeout", "max_auto_priority", "min_auto_priority_delay", "smtp_alert_vrrp",
            "smtp_alert_checker", "checker_log_all_failures", "dynamic_interfaces", "no_email_faults",
            "default_interface", "disable_local_igmp", "v3_checksum_as_v2", "lvs_timeouts", "lvs_flush",
            "lvs_flush_on_stop", "lvs_flush_onstop", "lvs_sync_daemon", "vrrp_mcast_group4", "vrrp_mcast_group6",
            "vrrp_garp_master_delay", "vrrp_garp_master_repeat", "vrrp_garp_master_refresh",
            "vrrp_garp_master_refresh_repeat", "vrrp_garp_lower_prio_delay", "vrrp_garp_lower_prio_repeat",
            "vrrp_down_timer_adverts", "vrrp_garp_interval", "vrrp_gna_interval", "vrrp_min_garp",
            "vrrp_garp_extra_if", "vrrp_vmac_garp_intvl", "vrrp_lower_prio_no_advert",
            "vrrp_higher_prio_send_advert", "vrrp_version", "vrrp_iptables", "vrrp_ipsets", "nftables",
            "nftables_priority", "nftables_ifindex", "vrrp_check_unicast_src", "vrrp_skip_check_adv_addr",
            "vrrp_strict", "vrrp_priority", "vrrp_no_swap", "vrrp_rt_priority", "vrrp_cpu_affinity",
            "vrrp_rlimit_rttime", "vrrp_rlimit_rtime", "nftables_ipvs", "nftables_ipvs_priority",
            "nftables_ipvs_start_fwmark", "nftables_counters", "notify_fifo", "notify_fifo_script",
            "vrrp_notify_fifo", "vrrp_notify_fifo_script", "vrrp_notify_priority_changes",
            "fifo_write_vrrp_states_on_reload", "lvs_notify_fifo", "lvs_notify_fifo_script", "checker_priority",
            "checker_no_swap", "checker_rt_priority", "checker_cpu_affinity", "checker_rlimit_rttime",
            "checker_rlimit_rtime", "bfd_priority", "bfd_no_swap", "bfd_rt_priority", "bfd_cpu_affinity",
            "bfd_rlimit_rttime", "bfd_rlimit_rtime", "snmp_socket", "enable_traps", "enable_snmp_vrrp",
            "enable_snmp_keepalived", "enable_snmp_rfc", "enable_snmp_rfcv2", "enable_snmp_rfcv3",
            "enable_snmp_checker", "snmp_vs_stats_update_interval", "snmp_rs_stats_update_interval",
            "enable_dbus", "dbus_service_name", "dbus_no_interface_name", "script_user", "enable_script_security",
            "vrrp_netlink_cmd_rcv_bufs", "vrrp_netlink_cmd_rcv_bufs_force", "vrrp_netlink_monitor_rcv_bufs",
            "vrrp_netlink_monitor_rcv_bufs_force", "process_monitor_rcv_bufs", "process_monitor_rcv_bufs_force",
            "lvs_netlink_cmd_rcv_bufs", "lvs_netlink_cmd_rcv_bufs_force", "lvs_netlink_monitor_rcv_bufs",
            "lvs_netlink_monitor_rcv_bufs_force", "rs_init_notifies", "no_checker_emails", "vrrp_rx_bufs_policy",
            "vrrp_rx_bufs_multiplier", "vrrp_startup_delay", "vrrp_delay_after_boot", "log_unknown_vrids",
            "vrrp_owner_ignore_adverts", "vmac_prefix", "vmac_addr_prefix", "umask", "random_seed",
            "reload_check_config", "reload_time_file", "reload_repeat", "reload_file", "include_check",
            "config_save_dir", "tmp_config_directory", "data_use_instance", "json_version", "iproute_usr_dir",
            "iproute_etc_dir", "state_dump_file", "stats_dump_file", "json_dump_file", "linkbeat_use_polling",
            "net_namespace", "net_namespace_ipvs", "namespace_with_ipsets", "use_pid_dir", "instance",
            "child_wait_time", "process_names", "process_name", "vrrp_process_name", "checker_process_name",
            "lvs_process_name", "bfd_process_name", "use_symlink_paths", "set_supplementary_groups");

    static final Set<String> VRRP_INSTANCE = Set.of(
            "use_vmac", "use_vmac_addr", "vmac_xmit_base", "use_ipvlan", "unicast_peer", "unicast_fault_no_peer",
            "check_unicast_src", "old_unicast_checksum", "native_ipv6", "state", "interface", "vrf",
            "dont_track_primary", "track_interface", "track_script", "track_file", "track_process", "track_bfd",
            "mcast_src_ip", "unicast_src_ip", "mcast_dst_ip", "track_src_ip", "virtual_router_id", "unicast_ttl",
            "version", "priority", "advert_int", "virtual_ipaddress", "virtual_ipaddress_excluded",
            "no_virtual_ipaddress", "promote_secondaries", "linkbeat_use_polling", "v3_checksum_as_v2",
            "virtual_routes", "virtual_rules", "accept", "no_accept", "skip_check_adv_addr", "strict_mode",
            "preempt", "nopreempt", "preempt_delay", "debug", "notify_backup", "notify_master", "notify_fault",
            "notify_stop", "notify_deleted", "notify", "notify_master_rx_lower_pri", "smtp_alert",
            "notify_priority_changes", "lvs_sync_daemon_interface", "garp_master_delay", "garp_master_refresh",
            "garp_master_repeat", "garp_master_refresh_repeat", "garp_lower_prio_delay", "garp_lower_prio_repeat",
            "down_timer_adverts", "timer_expired_backup", "thread_timer_expired", "garp_extra_if",
            "vmac_garp_intvl", "lower_prio_no_advert", "higher_prio_send_advert", "owner_ignore_adverts",
            "kernel_rx_buf_size", "authentication", "auth_hmac");

    static final Set<String> AUTHENTICATION = Set.of("auth_type", "auth_pass");

    /// keepalived 2.4.2 and later (`vrrp_parser.c`).
    static final Set<String> AUTH_HMAC = Set.of("key", "active_key", "time_window", "anti_replay", "mode");

    static final Set<String> SYNC_GROUP = Set.of(
            "group", "track_interface", "track_script", "track_file", "track_process", "track_bfd",
            "notify_backup", "notify_master", "notify_fault", "notify_stop", "notify", "smtp_alert",
            "global_tracking", "sync_group_tracking_weight", "notify_priority_changes");

    /// `bfd_instance` (bfd_parser.c `init_bfd_keywords`, keepalived 2.2.7).
    static final Set<String> BFD_INSTANCE = Set.of(
            "source_ip", "neighbor_ip", "neighbour_ip", "min_rx", "min_tx", "idle_tx", "multiplier", "passive", "ttl",
            "hoplimit", "max_hops", "weight", "vrrp", "checker");

    static final Set<String> VRRP_SCRIPT = Set.of(
            "script", "interval", "timeout", "weight", "rise", "fall", "user", "init_fail");

    static final Set<String> VIRTUAL_SERVER = Set.of(
            "ip_family", "retry", "delay_before_retry", "warmup", "connect_timeout", "delay_loop",
            "inhibit_on_failure", "lb_algo", "lvs_sched", "hashed", "ops", "flag-1", "flag-2", "flag-3",
            "sh-port", "sh-fallback", "mh-port", "mh-fallback", "lb_kind", "lvs_method", "persistence_engine",
            "persistence_timeout", "persistence_granularity", "protocol", "ha_suspend", "smtp_alert",
            "virtualhost", "snmp_name", "alpha", "omega", "quorum_up", "quorum_down", "quorum", "hysteresis",
            "sorry_server", "sorry_server_inhibit", "sorry_server_lvs_method", "real_server", "nat_mask",
            "fwmark", "weight");

    static final Set<String> REAL_SERVER = Set.of(
            "weight", "lvs_method", "uthreshold", "lthreshold", "inhibit_on_failure", "notify_up",
            "notify_down", "alpha", "retry", "delay_before_retry", "warmup", "connect_timeout", "delay_loop",
            "smtp_alert", "virtualhost", "snmp_name", "HTTP_GET", "SSL_GET", "TCP_CHECK", "MISC_CHECK",
            "DNS_CHECK", "SMTP_CHECK", "UDP_CHECK", "PING_CHECK", "FILE_CHECK", "BFD_CHECK");

    /// Options every checker block takes (`check_api.c`).
    static final Set<String> CHECKER_COMMON = Set.of(
            "connect_ip", "connect_port", "bindto", "bind_port", "bind_if", "connect_timeout", "fwmark", "retry",
            "delay_before_retry", "warmup", "delay_loop", "alpha", "log_all_failures");

    static final Set<String> HTTP_CHECKER = Set.of(
            "nb_get_retry", "virtualhost", "http_protocol", "enable_sni", "sni_name", "fast_recovery", "tls_compliant", "url");

    static final Set<String> URL = Set.of(
            "path", "digest", "status_code", "virtualhost", "regex", "regex_no_match", "regex_options",
            "regex_min_offset", "regex_max_offset", "regex_stack");

    static final Set<String> MISC_CHECKER = Set.of("misc_path", "misc_timeout", "misc_dynamic", "user");

    static final Set<String> DNS_CHECKER = Set.of("type", "name");

    static final Set<String> SCHEDULERS = Set.of(
            "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos");

    // Keywords that are on when present. FLAGS: the handler never reads past the keyword, so a word
    // after it is ignored (`nopreempt 0` is nopreempt). ON_OFF: the handler reads an optional word
    // with check_true_false (lib/parser.c): true/on/yes or false/off/no, nothing else. Listed per
    // block from keepalived 2.2.7's handlers (the same keyword differs between blocks: alpha).

    static final Set<String> GLOBAL_DEFS_FLAGS = Set.of(
            "process_names", "no_email_faults", "disable_local_igmp", "lvs_flush", "vrrp_iptables",
            "nftables_ifindex", "nftables_counters", "vrrp_check_unicast_src", "vrrp_skip_check_adv_addr",
            "vrrp_strict", "vrrp_no_swap", "fifo_write_vrrp_states_on_reload", "checker_no_swap", "bfd_no_swap",
            "enable_traps", "enable_snmp_vrrp", "enable_snmp_keepalived", "enable_snmp_rfc", "enable_snmp_rfcv2",
            "enable_snmp_rfcv3", "enable_snmp_checker", "enable_dbus", "enable_script_security",
            "log_unknown_vrids", "reload_repeat");

    static final Set<String> GLOBAL_DEFS_ON_OFF = Set.of(
            "smtp_alert", "smtp_alert_vrrp", "smtp_alert_checker", "checker_log_all_failures", "vrrp_min_garp",
            "vrrp_lower_prio_no_advert", "vrrp_higher_prio_send_advert", "vrrp_notify_priority_changes",
            "vrrp_netlink_cmd_rcv_bufs_force", "vrrp_netlink_monitor_rcv_bufs_force",
            "process_monitor_rcv_bufs_force", "lvs_netlink_cmd_rcv_bufs_force",
            "lvs_netlink_monitor_rcv_bufs_force", "rs_init_notifies", "no_checker_emails", "data_use_instance");

    static final Set<String> VRRP_INSTANCE_FLAGS = Set.of(
            "use_vmac_addr", "vmac_xmit_base", "unicast_fault_no_peer", "check_unicast_src", "native_ipv6",
            "dont_track_primary", "track_src_ip", "promote_secondaries", "linkbeat_use_polling", "accept",
            "no_accept", "preempt", "nopreempt");

    static final Set<String> VRRP_INSTANCE_ON_OFF = Set.of(
            "skip_check_adv_addr", "strict_mode", "smtp_alert", "notify_priority_changes", "lower_prio_no_advert",
            "higher_prio_send_advert");

    static final Set<String> SYNC_GROUP_FLAGS = Set.of("global_tracking", "sync_group_tracking_weight");

    static final Set<String> SYNC_GROUP_ON_OFF = Set.of("smtp_alert", "notify_priority_changes");

    static final Set<String> VRRP_SCRIPT_FLAGS = Set.of("init_fail");

    /// lbflags_handler reads only the keyword, too.
    static final Set<String> VIRTUAL_SERVER_FLAGS = Set.of(
            "inhibit_on_failure", "ha_suspend", "alpha", "omega", "sorry_server_inhibit", "hashed", "ops", "flag-1",
            "flag-2", "flag-3", "sh-port", "sh-fallback", "mh-port", "mh-fallback");

    static final Set<String> VIRTUAL_SERVER_ON_OFF = Set.of("smtp_alert");

    static final Set<String> REAL_SERVER_ON_OFF = Set.of("smtp_alert", "inhibit_on_failure", "alpha");

    static final Set<String> CHECKER_ON_OFF = Set.of("alpha", "log_all_failures");

    static final Set<String> HTTP_CHECKER_ON_OFF = Set.of("enable_sni", "fast_recovery");

    static final Set<String> URL_FLAGS = Set.of("regex_no_match");

    static final Set<String> MISC_CHECKER_FLAGS = Set.of("misc_dynamic");
}
