{{/*
Shared helpers. Each service has its own template file (orchestrator-api.yaml, ...); what they have in
common (pod security, volumes, the environment contract, probes) lives here once so that the hardening
cannot drift between services.
*/}}

{{- define "dph.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "dph.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "dph.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels common to every object of the release. */}}
{{- define "dph.labels" -}}
helm.sh/chart: {{ include "dph.chart" . }}
app.kubernetes.io/name: {{ include "dph.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: doc-preprocess-hub
{{- end -}}

{{/* Selects every pod of the release (default-deny policy). */}}
{{- define "dph.releaseSelector" -}}
app.kubernetes.io/name: {{ include "dph.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "orchestrator-api") */}}
{{- define "dph.selectorLabels" -}}
{{ include "dph.releaseSelector" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The image reference of a service: by digest when one is set, else by tag. (dict "root" $ "svc" .Values.x) */}}
{{- define "dph.image" -}}
{{- $img := .root.Values.image -}}
{{- $repo := printf "%s/%s%s" $img.registry $img.repositoryPrefix .svc.image.name -}}
{{- if .svc.image.digest -}}
{{- printf "%s@%s" $repo .svc.image.digest -}}
{{- else if $img.requireDigest -}}
{{- fail (printf "image.requireDigest is true but %s has no image.digest" .svc.image.name) -}}
{{- else -}}
{{- printf "%s:%s" $repo (default .root.Chart.AppVersion $img.tag) -}}
{{- end -}}
{{- end -}}

{{/* Image repository (no tag, no digest) of a service, for the admission policies. */}}
{{- define "dph.imageRepository" -}}
{{- printf "%s/%s%s" .root.Values.image.registry .root.Values.image.repositoryPrefix .svc.image.name -}}
{{- end -}}

{{/* Fails rendering when the grace period does not cover the drain timeout. */}}
{{- define "dph.checkGrace" -}}
{{- $g := .Values.global -}}
{{- if le (mul (int $g.terminationGracePeriodSeconds) 1000) (int $g.shutdownTimeoutMs) -}}
{{- fail (printf "global.terminationGracePeriodSeconds (%v s) must exceed global.shutdownTimeoutMs (%v ms)" $g.terminationGracePeriodSeconds $g.shutdownTimeoutMs) -}}
{{- end -}}
{{- end -}}

{{/* Restricted Pod Security Standard: pod level. */}}
{{- define "dph.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.global.runAsUser }}
runAsGroup: {{ .Values.global.runAsGroup }}
fsGroup: {{ .Values.global.fsGroup }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Restricted Pod Security Standard: container level. */}}
{{- define "dph.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: {{ .Values.global.runAsUser }}
runAsGroup: {{ .Values.global.runAsGroup }}
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Mount points of the files handed to the services. */}}
{{- define "dph.paths.secrets" -}}/var/run/secrets/dph{{- end -}}
{{- define "dph.paths.ca" -}}/etc/dph/tls/ca{{- end -}}
{{- define "dph.paths.client" -}}/etc/dph/tls/client{{- end -}}
{{- define "dph.paths.apiTls" -}}/etc/dph/tls/api{{- end -}}
{{- define "dph.paths.pii" -}}/etc/dph/pii{{- end -}}

{{/*
What each component needs from the backing services. Drives the environment, the mounted secret keys and
the NetworkPolicy egress, so the three cannot disagree.
*/}}
{{- define "dph.needs" -}}
{{- $n := dict
  "orchestrator-api" (list "postgres" "amqp" "redis" "s3" "oidc" "webhookKey")
  "worker-postproc" (list "postgres" "amqp" "s3" "engines")
  "webhook-dispatcher" (list "postgres" "amqp" "webhookKey")
  "audit-writer" (list "postgres" "amqp" "s3")
  "migrations" (list "postgres")
-}}
{{- get $n . | toJson -}}
{{- end -}}

{{/* Common environment: (dict "root" $ "component" "x" "svc" .Values.x "pgUser" "dph_x") */}}
{{- define "dph.env.common" -}}
{{- $v := .root.Values -}}
{{- $needs := include "dph.needs" .component | fromJsonArray -}}
{{- $sec := include "dph.paths.secrets" . -}}
- name: DPH_ENV
  value: {{ $v.global.env | quote }}
- name: DPH_LOG_LEVEL
  value: {{ $v.global.logLevel | quote }}
- name: DPH_SERVICE_INSTANCE
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: DPH_SHUTDOWN_TIMEOUT_MS
  value: {{ $v.global.shutdownTimeoutMs | quote }}
- name: DPH_TLS_CA_FILE
  value: {{ printf "%s/ca.crt" (include "dph.paths.ca" .) | quote }}
{{- if $v.tls.clientCert.enabled }}
- name: DPH_TLS_CLIENT_CERT_FILE
  value: {{ printf "%s/tls.crt" (include "dph.paths.client" .) | quote }}
- name: DPH_TLS_CLIENT_KEY_FILE
  value: {{ printf "%s/tls.key" (include "dph.paths.client" .) | quote }}
{{- end }}
{{- if has "postgres" $needs }}
- name: DPH_PG_HOST
  value: {{ $v.postgres.host | quote }}
- name: DPH_PG_PORT
  value: {{ $v.postgres.port | quote }}
- name: DPH_PG_DATABASE
  value: {{ $v.postgres.database | quote }}
- name: DPH_PG_USER
  value: {{ .pgUser | quote }}
- name: DPH_PG_PASSWORD_FILE
  value: {{ printf "%s/pg-password" $sec | quote }}
- name: DPH_PG_SSLMODE
  value: {{ $v.postgres.sslmode | quote }}
{{- end }}
{{- if has "amqp" $needs }}
- name: DPH_AMQP_URL_FILE
  value: {{ printf "%s/amqp-url" $sec | quote }}
{{- end }}
{{- if has "redis" $needs }}
- name: DPH_REDIS_URL_FILE
  value: {{ printf "%s/redis-url" $sec | quote }}
{{- end }}
{{- if has "s3" $needs }}
- name: DPH_S3_ENDPOINT
  value: {{ $v.s3.endpoint | quote }}
- name: DPH_S3_REGION
  value: {{ $v.s3.region | quote }}
- name: DPH_S3_ACCESS_KEY_ID_FILE
  value: {{ printf "%s/s3-access-key-id" $sec | quote }}
- name: DPH_S3_SECRET_ACCESS_KEY_FILE
  value: {{ printf "%s/s3-secret-access-key" $sec | quote }}
- name: DPH_S3_KMS_KEY_ID
  value: {{ $v.s3.kmsKeyId | quote }}
- name: DPH_S3_FORCE_PATH_STYLE
  value: {{ $v.s3.forcePathStyle | quote }}
- name: DPH_BUCKET_RAW
  value: {{ $v.s3.buckets.raw | quote }}
- name: DPH_BUCKET_PARSED
  value: {{ $v.s3.buckets.parsed | quote }}
- name: DPH_BUCKET_AUDIT
  value: {{ $v.s3.buckets.audit | quote }}
{{- end }}
{{- if has "webhookKey" $needs }}
- name: DPH_WEBHOOK_SECRET_KEY_FILE
  value: {{ printf "%s/webhook-secret-key" $sec | quote }}
{{- end }}
{{- if and $v.vault.enabled (ne .component "migrations") }}
- name: DPH_VAULT_ADDR
  value: {{ $v.vault.addr | quote }}
- name: DPH_VAULT_TOKEN_FILE
  value: {{ printf "%s/vault-token" $sec | quote }}
{{- end }}
{{- if $v.telemetry.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ $v.telemetry.otlpEndpoint | quote }}
{{- end }}
{{- if $v.egressAllowCidrs }}
- name: DPH_EGRESS_ALLOW_CIDRS
  value: {{ join "," $v.egressAllowCidrs | quote }}
{{- end }}
{{- end -}}

{{/* Extra plain variables of one service (values: <service>.env). */}}
{{- define "dph.env.extra" -}}
{{- range $k, $val := .svc.env }}
- name: {{ $k }}
  value: {{ $val | toString | quote }}
{{- end }}
{{- end -}}

{{/* The secret keys a component gets, as projected-volume items. */}}
{{- define "dph.secretItems" -}}
{{- $v := .root.Values -}}
{{- $k := $v.secretKeys -}}
{{- $needs := include "dph.needs" .component | fromJsonArray -}}
{{- if has "postgres" $needs }}
- key: {{ $k.pgPassword }}
  path: pg-password
{{- end }}
{{- if has "amqp" $needs }}
- key: {{ $k.amqpUrl }}
  path: amqp-url
{{- end }}
{{- if has "redis" $needs }}
- key: {{ $k.redisUrl }}
  path: redis-url
{{- end }}
{{- if has "s3" $needs }}
- key: {{ $k.s3AccessKeyId }}
  path: s3-access-key-id
- key: {{ $k.s3SecretAccessKey }}
  path: s3-secret-access-key
{{- end }}
{{- if has "webhookKey" $needs }}
- key: {{ $k.webhookSecretKey }}
  path: webhook-secret-key
{{- end }}
{{- if and $v.vault.enabled (ne .component "migrations") }}
- key: {{ $k.vaultToken }}
  path: vault-token
{{- end }}
{{- end -}}

{{/* Volumes every workload mounts: /tmp, the CA, the optional client certificate, its secret files. */}}
{{- define "dph.volumes" -}}
{{- $v := .root.Values -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ $v.global.tmpSizeLimit }}
- name: ca
  secret:
    secretName: {{ required "tls.caSecret.name is required" $v.tls.caSecret.name }}
    defaultMode: 0444
    items:
      - key: {{ $v.tls.caSecret.key }}
        path: ca.crt
{{- if $v.tls.clientCert.enabled }}
- name: client-cert
  secret:
    secretName: {{ required "tls.clientCert.secretName is required when tls.clientCert.enabled" $v.tls.clientCert.secretName }}
    defaultMode: 0440
    items:
      - key: {{ $v.tls.clientCert.certKey }}
        path: tls.crt
      - key: {{ $v.tls.clientCert.keyKey }}
        path: tls.key
{{- end }}
- name: secrets
  projected:
    defaultMode: 0440
    sources:
      - secret:
          name: {{ required (printf "an existingSecret is required for %s" .component) .secretName }}
          items:
            {{- include "dph.secretItems" . | trim | nindent 12 }}
{{- end -}}

{{- define "dph.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: ca
  mountPath: {{ include "dph.paths.ca" . }}
  readOnly: true
{{- if .root.Values.tls.clientCert.enabled }}
- name: client-cert
  mountPath: {{ include "dph.paths.client" . }}
  readOnly: true
{{- end }}
- name: secrets
  mountPath: {{ include "dph.paths.secrets" . }}
  readOnly: true
{{- end -}}

{{/* Probes on the health server: (dict "scheme" "HTTP") */}}
{{- define "dph.probes" -}}
startupProbe:
  httpGet:
    path: /livez
    port: http
    scheme: {{ .scheme }}
  periodSeconds: 2
  failureThreshold: 60
livenessProbe:
  httpGet:
    path: /livez
    port: http
    scheme: {{ .scheme }}
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /readyz
    port: http
    scheme: {{ .scheme }}
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 2
{{- end -}}

{{/*
One Deployment. (dict "root" $ "component" "worker-postproc" "name" "<object name>" "svc" <service values>
"replicas" N "extraEnv" <yaml list string> "extraVolumes" <yaml> "extraMounts" <yaml> "scheme" "HTTP"
"scheduling" <dict with nodeSelector/tolerations/affinity/resources overrides> "zone" "<zone or empty>")
*/}}
{{- define "dph.deployment" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $svc := .svc -}}
{{- $sched := default dict .scheduling -}}
{{- $resources := $svc.resources -}}
{{- if $sched.resources }}{{ $resources = $sched.resources }}{{ end -}}
{{- $nodeSelector := $svc.nodeSelector -}}
{{- if $sched.nodeSelector }}{{ $nodeSelector = $sched.nodeSelector }}{{ end -}}
{{- $tolerations := $svc.tolerations -}}
{{- if $sched.tolerations }}{{ $tolerations = $sched.tolerations }}{{ end -}}
{{- $affinity := $svc.affinity -}}
{{- if $sched.affinity }}{{ $affinity = $sched.affinity }}{{ end -}}
{{- include "dph.checkGrace" $root -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .name }}
  labels:
    {{- include "dph.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
    {{- if .zone }}
    dph.io/zone: {{ .zone }}
    {{- end }}
spec:
  {{- if not .autoscaling }}
  replicas: {{ .replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  selector:
    matchLabels:
      {{- include "dph.selectorLabels" (dict "root" $root "component" .component) | nindent 6 }}
      {{- if .zone }}
      dph.io/zone: {{ .zone }}
      {{- end }}
  template:
    metadata:
      labels:
        {{- include "dph.selectorLabels" (dict "root" $root "component" .component) | nindent 8 }}
        {{- if .zone }}
        dph.io/zone: {{ .zone }}
        {{- end }}
        {{- with $v.global.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with $v.global.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ printf "%s-%s" (include "dph.fullname" $root) .component }}
      automountServiceAccountToken: false
      enableServiceLinks: false
      terminationGracePeriodSeconds: {{ $v.global.terminationGracePeriodSeconds }}
      securityContext:
        {{- include "dph.podSecurityContext" $root | nindent 8 }}
      {{- with $v.global.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $svc.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      {{- with $nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $svc.topologySpreadConstraints }}
      topologySpreadConstraints:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ .component }}
          image: {{ include "dph.image" (dict "root" $root "svc" $svc) }}
          imagePullPolicy: {{ $v.image.pullPolicy }}
          securityContext:
            {{- include "dph.containerSecurityContext" $root | nindent 12 }}
          ports:
            - name: http
              containerPort: {{ $svc.port }}
              protocol: TCP
          env:
            - name: DPH_HTTP_HOST
              value: "0.0.0.0"
            - name: DPH_HTTP_PORT
              value: {{ $svc.port | quote }}
            {{- include "dph.env.common" (dict "root" $root "component" .component "svc" $svc "pgUser" .pgUser) | nindent 12 }}
            {{- with .extraEnv }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- with (include "dph.env.extra" (dict "svc" $svc) | trim) }}
            {{- . | nindent 12 }}
            {{- end }}
          {{- include "dph.probes" (dict "scheme" (default "HTTP" .scheme)) | nindent 10 }}
          resources:
            {{- toYaml $resources | nindent 12 }}
          volumeMounts:
            {{- include "dph.volumeMounts" (dict "root" $root) | nindent 12 }}
            {{- with .extraMounts }}
            {{- . | nindent 12 }}
            {{- end }}
      volumes:
        {{- include "dph.volumes" (dict "root" $root "component" .component "secretName" $svc.existingSecret) | nindent 8 }}
        {{- with .extraVolumes }}
        {{- . | nindent 8 }}
        {{- end }}
{{- end -}}

{{/* ServiceAccount without a mounted token: the services never talk to the Kubernetes API. */}}
{{- define "dph.serviceAccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ printf "%s-%s" (include "dph.fullname" .root) .component }}
  labels:
    {{- include "dph.labels" .root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
automountServiceAccountToken: false
{{- end -}}

{{/* Service in front of a component's http port. */}}
{{- define "dph.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ printf "%s-%s" (include "dph.fullname" .root) .component }}
  labels:
    {{- include "dph.labels" .root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  type: {{ default "ClusterIP" .type }}
  selector:
    {{- include "dph.selectorLabels" (dict "root" .root "component" .component) | nindent 4 }}
  ports:
    - name: http
      port: {{ .port }}
      targetPort: http
      protocol: TCP
{{- end -}}

{{/* PodDisruptionBudget: (dict "root" $ "component" "x" "name" "obj" "pdb" .svc.pdb "zone" "") */}}
{{- define "dph.pdb" -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ .name }}
  labels:
    {{- include "dph.labels" .root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  {{- if hasKey .pdb "minAvailable" }}
  minAvailable: {{ .pdb.minAvailable }}
  {{- else }}
  maxUnavailable: {{ .pdb.maxUnavailable }}
  {{- end }}
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      {{- include "dph.selectorLabels" (dict "root" .root "component" .component) | nindent 6 }}
      {{- if .zone }}
      dph.io/zone: {{ .zone }}
      {{- end }}
{{- end -}}

{{/* HorizontalPodAutoscaler: (dict "root" $ "component" "x" "name" "obj" "as" .svc.autoscaling) */}}
{{- define "dph.hpa" -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ .name }}
  labels:
    {{- include "dph.labels" .root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ .name }}
  minReplicas: {{ .as.minReplicas }}
  maxReplicas: {{ .as.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .as.targetCPUUtilizationPercentage }}
{{- end -}}

{{/* ServiceMonitor for a component's /metrics. */}}
{{- define "dph.serviceMonitor" -}}
{{- $sm := .root.Values.metrics.serviceMonitor -}}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ printf "%s-%s" (include "dph.fullname" .root) .component }}
  labels:
    {{- include "dph.labels" .root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
    {{- with $sm.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "dph.selectorLabels" (dict "root" .root "component" .component) | nindent 6 }}
  namespaceSelector:
    matchNames:
      - {{ .root.Release.Namespace }}
  endpoints:
    - port: http
      path: /metrics
      scheme: {{ lower (default "HTTP" .scheme) }}
      interval: {{ $sm.interval }}
      scrapeTimeout: {{ $sm.scrapeTimeout }}
      {{- if eq (default "HTTP" .scheme) "HTTPS" }}
      tlsConfig:
        serverName: {{ printf "%s-%s.%s.svc" (include "dph.fullname" .root) .component .root.Release.Namespace }}
        ca:
          secret:
            name: {{ .root.Values.tls.caSecret.name }}
            key: {{ .root.Values.tls.caSecret.key }}
      {{- end }}
{{- end -}}

{{/*
One egress rule to a dependency. An empty peer list would mean "anywhere" in a NetworkPolicy, so it is
refused: every destination must be listed. (dict "what" "postgres" "peers" [...] "port" 5432 "udp" false)
*/}}
{{- define "dph.egress.rule" -}}
{{- if not .peers -}}
{{- fail (printf "%s.networkPeers must list where this dependency is (an empty list would allow all destinations)" .what) -}}
{{- end -}}
- to:
    {{- toYaml .peers | nindent 4 }}
  ports:
    - protocol: TCP
      port: {{ .port }}
    {{- if .udp }}
    - protocol: UDP
      port: {{ .port }}
    {{- end }}
{{- end -}}

{{/* Image repositories of the enabled services (the admission policies match exactly these). */}}
{{- define "dph.imageRepositories" -}}
{{- $v := .Values -}}
{{- $repos := list -}}
{{- range $key := list "orchestratorApi" "workerPostproc" "webhookDispatcher" "auditWriter" }}
{{- $svc := get $v $key -}}
{{- if $svc.enabled }}
{{- $repos = append $repos (include "dph.imageRepository" (dict "root" $ "svc" $svc)) -}}
{{- end }}
{{- end }}
{{- $repos | uniq | toJson -}}
{{- end -}}

{{- define "dph.kyverno.checkSigner" -}}
{{- $k := .Values.kyverno -}}
{{- if and (eq $k.signer "kms") (not $k.kms.key) -}}
{{- fail "kyverno.kms.key is required when kyverno.signer is kms" -}}
{{- end -}}
{{- end -}}
