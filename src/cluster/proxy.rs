//! The apiserver's pod proxy: an HTTP POST to a port of a pod, through the Kubernetes API, so
//! `opctl status` reaches op-node and the execution client from a laptop or CI without any
//! Service being exposed. It needs RBAC `create` on `pods/proxy` in the chain's namespace.

use axum::http;

use super::{status_error, Cluster, ClusterError};

impl Cluster {
    /// `POST /api/v1/namespaces/{namespace}/pods/{pod}:{port}/proxy/` with a JSON body; returns
    /// the pod's answer. A pod that does not listen answers as an API error (502/503 with the
    /// apiserver's dial error as message); the caller bounds the time.
    pub async fn pod_proxy_post(
        &self,
        namespace: &str,
        pod: &str,
        port: u16,
        body: Vec<u8>,
    ) -> Result<String, ClusterError> {
        let _slot = self.slot().await;
        let path = format!("/api/v1/namespaces/{namespace}/pods/{pod}:{port}/proxy/");
        let object = format!("pods/proxy of {namespace}/{pod} port {port}");
        let request = http::Request::post(&path)
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(body)
            .map_err(|e| ClusterError::Api {
                verb: "proxy to".into(),
                object: object.clone(),
                code: 0,
                reason: String::new(),
                message: e.to_string(),
            })?;
        self.client.request_text(request).await.map_err(|e| {
            // RBAC's verb for a POST through the proxy is `create` (on `pods/proxy`).
            let err = status_error(
                "create",
                &object,
                &format!("namespace {namespace}"),
                "pods/proxy",
                e,
                &self.url,
            );
            match err {
                // Not RBAC: the API server refuses to dial the pod's address (loopback,
                // link-local or otherwise denied), so no Role would help.
                ClusterError::Forbidden { message, .. } if message.contains("denied destination") => {
                    ClusterError::Invalid {
                        object,
                        message: format!(
                            "the API server refuses to proxy to this pod's address ({message}); a pod without a routable address (such as the test sandbox's kubelet stand-in gives) cannot be probed"
                        ),
                        causes: Vec::new(),
                    }
                }
                other => other,
            }
        })
    }
}
