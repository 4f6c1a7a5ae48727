{{/*
The five components: values key -> service name, ports, and what each needs. Ports are the services' own defaults
(application.properties), so a pod needs no port configuration.
*/}}
{{- define "arbiter.components" -}}
features: {service: feature-service, grpcPort: 9101, httpPort: 8101, database: false, hotPath: true}
models: {service: model-service, grpcPort: 9102, httpPort: 8102, database: true, schema: model, hotPath: true}
decisions: {service: decision-service, grpcPort: 9103, httpPort: 8103, database: true, schema: decision, hotPath: true}
optimizer: {service: optimizer-service, grpcPort: 9104, httpPort: 8104, database: true, schema: optimizer, hotPath: false}
rules: {service: rule-service, grpcPort: 9105, httpPort: 8105, database: true, schema: rule, hotPath: false}
{{- end -}}

{{- define "arbiter.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The Kubernetes name of one component: <fullname>-<service>, e.g. arbiter-decision-service. */}}
{{- define "arbiter.componentName" -}}
{{- printf "%s-%s" (include "arbiter.fullname" .root) .component.service | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels: immutable once deployed, so nothing version-dependent. */}}
{{- define "arbiter.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component.service }}
{{- end -}}

{{- define "arbiter.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{ include "arbiter.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: arbiter
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end -}}

{{/* Labels of resources that belong to the release, not to one component. */}}
{{- define "arbiter.releaseLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: arbiter
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "arbiter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "arbiter.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* [<registry>/]<repository>/<service>:<tag>, the tag the chart's appVersion unless set, "-native" for native images. */}}
{{- define "arbiter.image" -}}
{{- $tag := default .root.Chart.AppVersion .root.Values.image.tag -}}
{{- if eq .root.Values.image.flavor "native" -}}{{- $tag = printf "%s-native" $tag -}}{{- end -}}
{{- $path := printf "%s/%s:%s" .root.Values.image.repository .component.service $tag -}}
{{- if .root.Values.image.registry -}}{{- printf "%s/%s" .root.Values.image.registry $path -}}{{- else -}}{{- $path -}}{{- end -}}
{{- end -}}

{{/* The headless Service of a component: every ready pod's address, for decision-service's per-replica channels. */}}
{{- define "arbiter.headlessName" -}}
{{- printf "%s-headless" (include "arbiter.componentName" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
