#!/usr/bin/env bash
# Builds images/libjpeg/libjpeg-turbo.wasm: Debian's libjpeg-turbo (the same source and patches as the libjpeg
# that Debian's PIL uses) plus our glue images/libjpeg/decoder.c, compiled by Debian's emscripten to one
# standalone .wasm that the Worker imports precompiled. No npm package offers a libjpeg-turbo build that exposes
# DCT scaling, warnings and a pull source without threads (checked: @cwasm/jpeg-turbo, @cornerstonejs/
# codec-libjpeg-turbo-8bit, @jsquash/jpeg).
#
#   scripts/build-libjpeg-wasm.sh [out.wasm]     (default: images/libjpeg/libjpeg-turbo.wasm)
#
# Needs: emscripten 3.1.6 and dpkg-dev (apt-get install emscripten dpkg-dev) and Debian's deb-src lists; as root
# it adds the deb-src list when there is none. The output is byte for byte the committed file
# (test/scripts/libjpeg-wasm.test.ts rebuilds and compares).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$(realpath -m "${1:-$ROOT/images/libjpeg/libjpeg-turbo.wasm}")"

VERSION='1:2.1.5-2'
ORIG_SHA256='254f3642b04e309fee775123133c6464181addc150499561020312ec61c1bf7c'  # libjpeg-turbo_2.1.5.orig.tar.gz
DEBIAN_SHA256='cdb2433c2f7101345c1ffa14efb943787c675b86354691a32490845fe4bc9237' # libjpeg-turbo_2.1.5-2.debian.tar.xz
EMCC_VERSION='3.1.6'

command -v emcc >/dev/null || { echo "emcc not found: apt-get install emscripten dpkg-dev" >&2; exit 1; }
command -v dpkg-source >/dev/null || { echo "dpkg-source not found: apt-get install dpkg-dev" >&2; exit 1; }
EMCC_HEAD="$(emcc --version | sed -n 1p)"
case "$EMCC_HEAD" in *" $EMCC_VERSION "*) ;; *) echo "need emscripten $EMCC_VERSION (Debian bookworm's), found: $EMCC_HEAD" >&2; exit 1 ;; esac

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

if ! apt-get source --download-only "libjpeg-turbo=$VERSION" >apt.log 2>&1; then
  if [ "$(id -u)" = 0 ] && ! grep -rqs '^Types: deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    # Same archive and suites as the binary packages, for sources.
    sed -e 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >/etc/apt/sources.list.d/debian-src.sources
    apt-get update >>apt.log 2>&1
    apt-get source --download-only "libjpeg-turbo=$VERSION" >>apt.log 2>&1 || { cat apt.log >&2; exit 1; }
  else
    cat apt.log >&2
    echo "apt-get source failed: add a deb-src line for Debian bookworm to /etc/apt/sources.list.d and run apt-get update" >&2
    exit 1
  fi
fi
echo "$ORIG_SHA256  libjpeg-turbo_2.1.5.orig.tar.gz" | sha256sum -c --quiet
echo "$DEBIAN_SHA256  libjpeg-turbo_2.1.5-2.debian.tar.xz" | sha256sum -c --quiet
dpkg-source --no-check -x libjpeg-turbo_2.1.5-2.dsc src >/dev/null
cd src

# What CMake would generate for Debian's configuration (libjpeg 6b ABI, arithmetic coding), without SIMD.
cat >jconfig.h <<'H'
#define JPEG_LIB_VERSION 62
#define LIBJPEG_TURBO_VERSION 2.1.5
#define LIBJPEG_TURBO_VERSION_NUMBER 2001005
#define C_ARITH_CODING_SUPPORTED 1
#define D_ARITH_CODING_SUPPORTED 1
#define MEM_SRCDST_SUPPORTED 1
#define BITS_IN_JSAMPLE 8
H
cat >jconfigint.h <<'H'
#define BUILD "wasm"
#undef inline
#define INLINE __inline__ __attribute__((always_inline))
#define THREAD_LOCAL
#define PACKAGE_NAME "libjpeg-turbo"
#define VERSION "2.1.5"
#define SIZEOF_SIZE_T 4
#define HAVE_BUILTIN_CTZL
#define FALLTHROUGH __attribute__((fallthrough));
H
sed -e 's/@COPYRIGHT_YEAR@/1991-2023/' jversion.h.in >jversion.h
# The Huffman decoder's bit buffer is 64 bits only where size_t is (or on x32). wasm32 has 32-bit pointers but
# native 64-bit integers, as x32 does: take x32's branch, so the entropy decoder refills half as often.
sed -i -e 's/defined(__x86_64__) && defined(__ILP32__)/((defined(__x86_64__) \&\& defined(__ILP32__)) || defined(__wasm32__))/' jdhuff.h jdhuff.c
# One check per file: under set -e a failure before the last command of an && list does not stop the script.
grep -q '__wasm32__' jdhuff.h
grep -q '__wasm32__' jdhuff.c

SOURCES="jaricom.c jcomapi.c jdapimin.c jdapistd.c jdarith.c jdcoefct.c jdcolor.c jddctmgr.c jdhuff.c jdicc.c
  jdinput.c jdmainct.c jdmarker.c jdmaster.c jdmerge.c jdphuff.c jdpostct.c jdsample.c jerror.c jidctflt.c jidctfst.c
  jidctint.c jidctred.c jmemmgr.c jmemnobs.c jquant1.c jquant2.c jutils.c jsimd_none.c"
cp "$ROOT/images/libjpeg/decoder.c" .

# -g0 and fixed prefixes keep paths out of the binary, so the output depends on the sources alone.
emcc -O3 -g0 -DNO_GETENV -DNO_PUTENV -I. -ffile-prefix-map="$WORK"=. \
  --no-entry -sSTANDALONE_WASM=1 -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=1MB -sMAXIMUM_MEMORY=256MB \
  -sTOTAL_STACK=128KB -sFILESYSTEM=0 -sERROR_ON_UNDEFINED_SYMBOLS=0 \
  -sEXPORTED_FUNCTIONS=_malloc,_free \
  -o libjpeg-turbo.wasm decoder.c $SOURCES
mkdir -p "$(dirname "$OUT")"
cp libjpeg-turbo.wasm "$OUT"
echo "wrote $OUT ($(stat -c %s "$OUT") bytes, sha256 $(sha256sum "$OUT" | cut -d' ' -f1))"
