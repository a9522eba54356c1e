#!/usr/bin/env bats
# build: Duckerfile instructions, cache, errors.
load helpers

setup() {
  common_setup
  CTX=$BATS_TEST_TMPDIR/ctx
  mkdir -p $CTX
}
teardown() {
  cleanup_new_objects
  teardown_images
  common_teardown
}
duckerfile() { cat > $CTX/Duckerfile; }

@test "the README example builds and runs; EXPOSE shows in inspect" {
  n=$(safename); mkimg $n
  duckerfile <<'EOF2'
# Duckerfile
# build from the built-in alpine or a local image
FROM alpine:latest

WORKDIR /app

ENV APP_NAME=ducker-test APP_VERSION=1.0

COPY app.sh /app/app.sh

EXPOSE 8080

CMD ["/bin/sh", "/app/app.sh"]
EOF2
  echo 'echo "$APP_NAME $APP_VERSION in $(pwd)"' > $CTX/app.sh
  d build -t $n $CTX
  like "$output" 'STEP 1/6: FROM alpine:latest'
  like "$output" 'STEP 6/6: CMD \["/bin/sh", "/app/app.sh"\]'
  like "$output" "Successfully tagged $n:latest"
  d run --rm $n
  is "$output" "ducker-test 1.0 in /app"
  d inspect --format '{{json .Config.ExposedPorts}}' $n
  is "$output" '{"8080/tcp":{}}'
  d images
  like "$output" "$n +latest"
}

@test "cache: a rebuild reuses every step (CACHED, fast); a changed context file misses" {
  n=$(safename); mkimg $n
  duckerfile <<'EOF2'
FROM alpine
RUN echo built > /built
COPY app.sh /app.sh
CMD ["/bin/sh", "/app.sh"]
EOF2
  # contents unique to this run: an earlier run's layers would be a (legitimate) cache hit
  echo "echo v1 $n" > $CTX/app.sh
  d build -t $n $CTX
  start=$(date +%s%N)
  d build -t $n $CTX
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  [[ $(grep -c -- '--> CACHED' <<<"$output") == 3 ]] || { echo "$output"; return 1; }
  echo "# cached rebuild: ${ms} ms" >&3
  [[ $ms -le 1500 ]]                           # the issue's target is 0.5 s; leave room for a busy CI
  echo "echo v2 $n" > $CTX/app.sh
  d build -t $n $CTX
  like "$output" $'STEP 2/4: RUN echo built > /built\n--> CACHED'
  like "$output" $'STEP 3/4: COPY app.sh /app.sh\n--> [0-9a-f]'
  d run --rm $n
  is "$output" "v2 $n"
  d build --no-cache -t $n $CTX
  [[ "$output" != *CACHED* ]]
}

@test "ENV expansion, ARG, LABEL, WORKDIR relative chains" {
  n=$(safename); mkimg $n
  duckerfile <<'EOF2'
from alpine
ARG WHO=world
ENV BASE=/srv \
    SUB=app
# a comment between steps
LABEL maintainer="ducker tests" version=1
WORKDIR $BASE
WORKDIR ${SUB}
WORKDIR data
ENV WHERE=$BASE/${SUB}/data GREETING="hello $WHO"
RUN echo "$GREETING $(pwd)" > out.txt
CMD cat out.txt; echo $WHERE
EOF2
  d build -t $n $CTX
  d run --rm $n
  is "$output" $'hello world /srv/app/data\n/srv/app/data'
  d inspect --format '{{.Config.WorkingDir}}' $n
  is "$output" /srv/app/data
}

@test "COPY: a directory, a glob, relative and absolute destinations, .duckerignore, --chown" {
  n=$(safename); mkimg $n
  mkdir -p $CTX/dir/sub
  echo a > $CTX/dir/a.txt; echo b > $CTX/dir/sub/b.txt; echo s > $CTX/dir/secret.key
  echo 1 > $CTX/one.conf; echo 2 > $CTX/two.conf; echo x > $CTX/skip.log
  printf '*.log\ndir/*.key\n' > $CTX/.duckerignore
  duckerfile <<'EOF2'
FROM alpine
WORKDIR /w
COPY dir /data/
COPY *.conf conf/
COPY --chown=1000:1000 one.conf /owned
COPY one.conf /renamed.conf
CMD ["sh", "-c", "find /data /w | sort; stat -c %u:%g /owned; cat /renamed.conf"]
EOF2
  d build -t $n $CTX
  d run --rm $n
  is "$output" $'/data\n/data/a.txt\n/data/sub\n/data/sub/b.txt\n/w\n/w/conf\n/w/conf/one.conf\n/w/conf/two.conf\n1000:1000\n1'
  echo 'FROM alpine
COPY *.log /' > $CTX/Duckerfile
  d --rc=1 build $CTX
  like "$output" 'line 2: COPY failed: no source files'
}

@test "CMD shell form vs exec form" {
  n=$(safename); mkimg $n:shell; mkimg $n:exec
  printf 'FROM alpine\nENV X=1\nCMD echo "x is $X"\n' | d build -t $n:shell -f - $CTX
  d run --rm $n:shell
  is "$output" "x is 1"
  d inspect --format '{{json .Config.Cmd}}' $n:shell
  is "$output" '["/bin/sh","-c","echo \"x is $X\""]'
  printf 'FROM alpine\nENV X=1\nCMD ["echo", "x is $X"]\n' | d build -t $n:exec -f - $CTX
  d run --rm $n:exec
  is "$output" 'x is $X'
}

@test "a failing RUN stops the build: step, command and code named, exit 1, no tag" {
  n=$(safename); mkimg $n
  duckerfile <<'EOF2'
FROM alpine
RUN echo before
RUN echo about to fail; exit 3
RUN echo never
EOF2
  d --rc=1 build -t $n $CTX
  like "$output" 'about to fail'
  like "$output" 'line 3: RUN echo about to fail; exit 3 returned a non-zero code: 3'
  [[ "$output" != *never* ]]
  d images
  [[ "$output" != *"$n"* ]]
  [[ -z $(ls $DUCKER_ROOT/containers | comm -13 <(echo "$BEFORE_CONTAINERS") -) ]]   # the RUN container is gone
}

@test "COPY never reads outside the context" {
  mkdir -p $CTX/sub
  echo secret > $BATS_TEST_TMPDIR/outside
  ln -s $BATS_TEST_TMPDIR/outside $CTX/link-out
  ln -s /etc $CTX/sub/etc
  for src in ../outside link-out sub; do
    printf 'FROM alpine\nCOPY %s /x\n' $src > $CTX/Duckerfile
    d --rc=1 build $CTX
    like "$output" 'line 2: COPY failed: .*(outside the build context)' "COPY $src"
  done
}

# Table: Duckerfile -> expected error (line numbers included).
@test "bad Duckerfiles fail with an error naming the line" {
  while IFS='|' read -r df expect; do
    printf "$df" > $CTX/Duckerfile
    d --rc=1 build $CTX
    like "$output" "ducker: Duckerfile line $expect" "$df"
  done <<'EOF2'
FROM alpine\nFROBNICATE now\n|2: unknown instruction: FROBNICATE
# no from\nRUN true\n|2: no FROM instruction
FROM alpine\n\nCMD ["a", "b"\n|3: CMD: malformed JSON array
FROM alpine\nCOPY missing.txt /\n|2: COPY failed: file not found in build context
FROM alpine\nUSER nobody\n|2: USER is not supported
FROM alpine\nEXPOSE 99999\n|2: EXPOSE: invalid port
FROM no-such-image-xyz\n|1: FROM no-such-image-xyz: Unable to find image
EOF2
  d --rc=1 build $BATS_TEST_TMPDIR/nope
  like "$output" 'not found or not a directory'
}
