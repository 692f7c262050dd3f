// A real `redis-server` for a test: on a free loopback port, with a password, without persistence (as the tests of
// a fleet need it), optionally with TLS from a throwaway CA. `make test` installs `redis-server` from the
// distribution's packages when it is missing. Included by the core's unit tests (include!) and its integration
// tests (#[path]), so: no inner attributes or module docs here.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[allow(dead_code)]
pub struct RedisServer {
    child: Option<Child>,
    pub port: u16,
    pub password: String,
    dir: tempfile::TempDir,
    tls: bool,
}

#[allow(dead_code)]
impl RedisServer {
    pub fn start() -> RedisServer {
        Self::launch(false)
    }

    /// With TLS only (no plain port); [`Self::ca_file`] is the CA to trust.
    pub fn start_tls() -> RedisServer {
        Self::launch(true)
    }

    fn launch(tls: bool) -> RedisServer {
        let dir = tempfile::tempdir().expect("temp dir");
        if tls {
            write_certificates(dir.path());
        }
        let password = format!("pw-{:016x}", fastrand::u64(..));
        let mut s = RedisServer { child: None, port: 0, password, dir, tls };
        for _ in 0..5 {
            s.port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            if s.spawn() {
                return s;
            }
            s.stop();
        }
        panic!("redis-server did not start (make test installs it: apt-get install redis-server)");
    }

    /// Starts the server on its port; whether it accepts connections within 5 s.
    fn spawn(&mut self) -> bool {
        let d = self.dir.path();
        let mut c = Command::new("redis-server");
        c.args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--requirepass", &self.password])
            .arg("--dir")
            .arg(d);
        if self.tls {
            c.args(["--port", "0", "--tls-port", &self.port.to_string(), "--tls-auth-clients", "no"])
                .arg("--tls-cert-file")
                .arg(d.join("server.crt"))
                .arg("--tls-key-file")
                .arg(d.join("server.key"))
                .arg("--tls-ca-cert-file")
                .arg(d.join("ca.crt"));
        } else {
            c.args(["--port", &self.port.to_string()]);
        }
        let child = match c.stdout(Stdio::null()).stderr(Stdio::null()).spawn() {
            Ok(child) => child,
            Err(e) => panic!("cannot run redis-server ({e}); make test installs it (apt-get install redis-server)"),
        };
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return true;
            }
            if self.child.as_mut().unwrap().try_wait().ok().flatten().is_some() {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub fn url(&self) -> String {
        let scheme = if self.tls { "rediss" } else { "redis" };
        format!("{scheme}://:{}@127.0.0.1:{}/0", self.password, self.port)
    }

    /// The URL as `guard status` shows it (no password).
    pub fn shown(&self) -> String {
        let scheme = if self.tls { "rediss" } else { "redis" };
        format!("{scheme}://127.0.0.1:{}/0", self.port)
    }

    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.crt")
    }

    /// Freezes the server (SIGSTOP): connections stay open, nothing is answered.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, sig: &str) {
        let pid = self.child.as_ref().expect("running").id().to_string();
        assert!(Command::new("kill").args([sig, &pid]).status().unwrap().success());
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill").args(["-CONT", &c.id().to_string()]).status();
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Stopped and started again on the same port: without persistence, everything it held is gone.
    pub fn restart(&mut self) {
        self.stop();
        assert!(self.spawn(), "redis-server did not start again");
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A CA and a server certificate for 127.0.0.1 / localhost, as PEM files in `dir`.
fn write_certificates(dir: &Path) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let server = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server_cert = server.signed_by(&server_key, &issuer).unwrap();
    std::fs::write(dir.join("ca.crt"), ca_cert.pem()).unwrap();
    std::fs::write(dir.join("server.crt"), server_cert.pem()).unwrap();
    std::fs::write(dir.join("server.key"), server_key.serialize_pem()).unwrap();
}
