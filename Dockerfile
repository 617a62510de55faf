# Builds the one binary; docker-compose.yml runs it as migrate, api and worker.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /passport ./cmd/passport

FROM alpine:3.22
RUN adduser -D -H -u 10001 passport
COPY --from=build /passport /passport
USER passport
EXPOSE 8080
ENTRYPOINT ["/passport"]
