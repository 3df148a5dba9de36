{{/* Shared names, labels and fragments of the aspen chart. */}}

{{/* Labels on every object. */}}
{{- define "aspen.labels" -}}
app.kubernetes.io/name: aspen
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Selector labels of one component: include "aspen.selector" (list . "controller"). */}}
{{- define "aspen.selector" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: aspen
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* The image reference: digest wins over tag, tag defaults to appVersion. */}}
{{- define "aspen.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{/* Pod Security Standard "restricted" pod security context. */}}
{{- define "aspen.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Pod Security Standard "restricted" container security context, read-only root file system. */}}
{{- define "aspen.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Pod anti-affinity of one component: include "aspen.antiAffinity" (list . "controller" "soft"). */}}
{{- define "aspen.antiAffinity" -}}
{{- $mode := index . 2 -}}
{{- if eq $mode "hard" }}
podAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - topologyKey: kubernetes.io/hostname
      labelSelector:
        matchLabels:
          {{- include "aspen.selector" (list (index . 0) (index . 1)) | nindent 10 }}
{{- else if eq $mode "soft" }}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "aspen.selector" (list (index . 0) (index . 1)) | nindent 12 }}
{{- end }}
{{- end -}}

{{/* Environment every aspen pod gets: its name and namespace (replica id, aspen's namespace). */}}
{{- define "aspen.podEnv" -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
{{- end -}}

{{/* Name of the webhook Service's DNS name, used by the cert-manager Certificate. */}}
{{- define "aspen.webhookDNS" -}}
aspen.{{ .Release.Namespace }}.svc
{{- end -}}
