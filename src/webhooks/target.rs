//! Where webhooks may go. A webhook makes the server send requests to a URL a
//! client chose, the classic server-side request forgery path: without an
//! allow-list, targets must resolve to public addresses only (checked on the
//! addresses actually connected to, so a name that later resolves elsewhere gains
//! nothing); with `FOLIO_WEBHOOK_ALLOWED_HOSTS`, only the hosts listed, wherever
//! they are.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// Host names (or addresses) webhooks may call; `*.example.com` allows every
/// name under example.com.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHosts(Vec<String>);

impl AllowedHosts {
    pub fn parse(list: &str) -> Result<Self, String> {
        let hosts: Vec<String> = list
            .split(',')
            .map(|h| h.trim().trim_end_matches('.').to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        if let Some(bad) = hosts
            .iter()
            .find(|h| h.contains(['/', ':']) && h.parse::<IpAddr>().is_err())
        {
            return Err(format!("{bad:?} is not a host name (list names, not URLs)"));
        }
        if hosts.is_empty() {
            return Err("the list is empty".into());
        }
        Ok(Self(hosts))
    }

    fn allows(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        self.0
            .iter()
            .any(|allowed| match allowed.strip_prefix("*.") {
                Some(domain) => host
                    .strip_suffix(domain)
                    .is_some_and(|rest| rest.ends_with('.')),
                None => allowed == host,
            })
    }
}

/// Ranges no webhook may reach unless its host is allow-listed: this machine, private
/// networks, link-local (cloud metadata services), and other special-purpose blocks.
const NON_PUBLIC: [&str; 17] = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "224.0.0.0/3",
    "::/127",
    "::ffff:0:0/96",
    "64:ff9b::/96",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
];

fn is_public(ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    };
    !NON_PUBLIC
        .iter()
        .filter_map(|range| range.parse::<IpNet>().ok())
        .any(|range| range.contains(&ip))
}

/// Whether a host name can only mean the machine that resolves it: `localhost`
/// and its subdomains (RFC 6761, section 6.3), in any case, with or without the
/// root's trailing dot, and the loopback names of the usual `/etc/hosts`.
fn names_this_machine(host: &str) -> bool {
    let name = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || ["localhost.localdomain", "ip6-localhost", "ip6-loopback"].contains(&name.as_str())
}

/// The rules a webhook's URL and its addresses must follow.
#[derive(Debug, Clone, Default)]
pub struct TargetPolicy {
    pub allowed_hosts: Option<AllowedHosts>,
}

impl TargetPolicy {
    /// The URL if webhooks may call it; else why not, for the client who gave it.
    pub fn check_url(&self, text: &str) -> Result<Url, String> {
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("must not contain spaces or control characters".into());
        }
        let url = Url::parse(text).map_err(|e| format!("not an absolute URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("must be http or https, not {}", url.scheme()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not hold credentials: check the signature instead".into());
        }
        let host = url.host_str().ok_or("has no host")?.to_owned();
        match &self.allowed_hosts {
            Some(allowed) if !allowed.allows(&host) => Err(format!(
                "{host} is not among the hosts webhooks may call (FOLIO_WEBHOOK_ALLOWED_HOSTS)"
            )),
            Some(_) => Ok(url),
            None => match url.host() {
                Some(Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => {
                    Err(format!("{ip} is not a public address"))
                }
                Some(Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => {
                    Err(format!("{ip} is not a public address"))
                }
                _ if names_this_machine(&host) => Err(format!("{host} is not a public host")),
                _ => Ok(url),
            },
        }
    }

    /// Resolves names for outgoing requests, dropping the addresses the policy
    /// forbids (all private ones unless the host is allow-listed).
    pub fn resolver(&self) -> Arc<GuardedResolver> {
        Arc::new(GuardedResolver {
            policy: self.clone(),
        })
    }

    fn may_connect(&self, host: &str, ip: IpAddr) -> bool {
        match &self.allowed_hosts {
            Some(allowed) => allowed.allows(host),
            None => is_public(ip),
        }
    }
}

/// A DNS resolver that only hands over addresses the policy allows.
pub struct GuardedResolver {
    policy: TargetPolicy,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| policy.may_connect(&host, a.ip()))
                .collect();
            if allowed.is_empty() {
                let reason = if found.is_empty() {
                    format!("{host} has no address")
                } else {
                    format!("{host} resolves only to addresses webhooks may not call")
                };
                return Err(reason.into());
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_targets_need_the_allow_list() {
        let open = TargetPolicy::default();
        assert!(open.check_url("https://hooks.example.com/folio").is_ok());
        assert!(open.check_url("https://localhost.example.com/").is_ok());
        for private in [
            "http://127.0.0.1:9000/",
            "http://[::1]/",
            "http://169.254.169.254/latest/meta-data",
            "http://10.1.2.3/",
            "http://[::ffff:192.168.1.1]/",
            "http://localhost:8080/",
            "http://localhost.:8080/",
            "http://LocalHost/",
            "http://foo.localhost/",
            "http://a.b.LOCALHOST./",
            "http://localhost.localdomain/",
            "http://ip6-localhost/",
            "http://127.0.0.1./",
            "http://2130706433/",
            "file:///etc/passwd",
            "http://user:pass@example.com/",
        ] {
            assert!(open.check_url(private).is_err(), "{private}");
        }
        let listed = TargetPolicy {
            allowed_hosts: AllowedHosts::parse("127.0.0.1, *.example.org").ok(),
        };
        assert!(listed.check_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(listed.check_url("https://a.b.example.org/").is_ok());
        assert!(listed.check_url("https://example.org.evil.com/").is_err());
        assert!(listed.check_url("https://hooks.example.com/").is_err());
    }
}
