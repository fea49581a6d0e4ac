# SPDX-License-Identifier: GPL-3.0-or-later
#
# The libraries of the Windows cross-build and how each is built (sourced by
# scripts/windows/build.sh, which provides $prefix, $work, $host, $jobs,
# $here, run_nice, die and the unpacked sources). The prefix's cache key
# hashes this file.

# In build order. qrencode is for passportctl's QR code.
packages=(zlib libffi pcre2 glib2.0 libpsl nghttp2 sqlite3 libsoup3 json-glib qrencode)

autotools_build() {
  local dir=$1
  shift
  (cd "$dir" &&
    run_nice ./configure --host=$host --prefix="$prefix" --enable-shared --disable-static \
      CPPFLAGS="-I$prefix/include" LDFLAGS="-L$prefix/lib" "$@" >configure.log 2>&1 &&
    run_nice make -j"$jobs" >make.log 2>&1 &&
    make install >install.log 2>&1) ||
    { tail -n 30 "$dir"/*.log >&2; die "building $(basename "$dir") failed"; }
}

meson_build() {
  local dir=$1
  shift
  (cd "$dir" &&
    meson setup _build --cross-file "$work/prefix.ini" --cross-file "$here/x86_64-w64-mingw32.ini" \
      --prefix="$prefix" --libdir=lib --buildtype=release --wrap-mode=nodownload "$@" >setup.log 2>&1 &&
    run_nice ninja -C _build -j"$jobs" >make.log 2>&1 &&
    meson install -C _build >install.log 2>&1) ||
    { tail -n 40 "$dir"/*.log >&2; die "building $(basename "$dir") failed"; }
}

cmake_build() {
  local dir=$1
  shift
  (cd "$dir" &&
    cmake -S . -B _build -G Ninja -DCMAKE_SYSTEM_NAME=Windows -DCMAKE_SYSTEM_PROCESSOR=x86_64 \
      -DCMAKE_C_COMPILER=$host-gcc -DCMAKE_CXX_COMPILER=$host-g++ -DCMAKE_RC_COMPILER=$host-windres \
      -DCMAKE_FIND_ROOT_PATH="$prefix" -DCMAKE_FIND_ROOT_PATH_MODE_PROGRAM=NEVER \
      -DCMAKE_FIND_ROOT_PATH_MODE_LIBRARY=ONLY -DCMAKE_FIND_ROOT_PATH_MODE_INCLUDE=ONLY \
      -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib -DCMAKE_BUILD_TYPE=Release \
      "$@" >configure.log 2>&1 &&
    run_nice cmake --build _build -j "$jobs" >make.log 2>&1 &&
    cmake --install _build >install.log 2>&1) ||
    { tail -n 30 "$dir"/*.log >&2; die "building $(basename "$dir") failed"; }
}

build_package() {
  local pkg=$1 dir=$work/$1
  unpack_source "${sources[$pkg]}" "$dir"
  case $pkg in
    zlib)
      # Debian's zlib source drops win32/; zlib is a handful of C files.
      (cd "$dir" &&
        for f in adler32 compress crc32 deflate gzclose gzlib gzread gzwrite infback \
                 inffast inflate inftrees trees uncompr zutil; do
          run_nice $host-gcc -O2 -c "$f.c" -o "$f.o" || exit 1
        done &&
        $host-ar rcs libz.a ./*.o) || die "building zlib failed"
      install -D -m 644 "$dir/libz.a" "$prefix/lib/libz.a"
      install -m 644 "$dir/zlib.h" "$dir/zconf.h" "$prefix/include/"
      local version
      version=$(sed -n 's/^#define ZLIB_VERSION "\(.*\)"/\1/p' "$dir/zlib.h")
      printf 'prefix=%s\nlibdir=${prefix}/lib\nincludedir=${prefix}/include\n\nName: zlib\nDescription: zlib compression library\nVersion: %s\nLibs: -L${libdir} -lz\nCflags: -I${includedir}\n' \
        "$prefix" "$version" >"$prefix/lib/pkgconfig/zlib.pc"
      ;;
    libffi)
      autotools_build "$dir" --disable-docs --disable-multi-os-directory
      ;;
    pcre2)
      autotools_build "$dir" --enable-pcre2-8 --disable-pcre2-16 --disable-pcre2-32 --enable-unicode
      ;;
    glib2.0)
      # GLib 2.74's gunixconnection.c trips GCC 12's -Wformat-nonliteral
      # (made an error by GLib's own -Werror=format=2) on mingw.
      meson_build "$dir" -Dc_args="-I$prefix/include -Wno-error=format-nonliteral" -Dtests=false -Dinstalled_tests=false -Dman=false -Dgtk_doc=false \
        -Dsysprof=disabled -Dlibelf=disabled -Dxattr=false -Dselinux=disabled \
        -Dlibmount=disabled -Ddtrace=false -Dsystemtap=false -Dnls=disabled
      ;;
    libpsl)
      # No built-in list and no IDNA library: libsoup asks libpsl nothing
      # that Passport uses. The tests' list is a stand-in.
      printf 'com\n' >"$dir/stand-in.dat"
      # Its psl tool calls localtime_r, which mingw-w64 declares only on
      # request.
      meson_build "$dir" -Dc_args="-I$prefix/include -D_POSIX_THREAD_SAFE_FUNCTIONS" \
        -Druntime=no -Dbuiltin=false -Dpsl_file="$dir/stand-in.dat" \
        -Dpsl_testfile="$dir/stand-in.dat"
      ;;
    nghttp2)
      # Debian's source has no generated configure; CMake builds the library.
      cmake_build "$dir" -DENABLE_LIB_ONLY=ON -DENABLE_SHARED_LIB=ON -DENABLE_STATIC_LIB=OFF \
        -DENABLE_DOC=OFF -DENABLE_FAILMALLOC=OFF
      ;;
    sqlite3)
      # The canonical source does not cross-build (its generators are built
      # with the host compiler): make the amalgamation natively (tclsh),
      # then compile that one file into the DLL.
      (mkdir -p "$dir/_native" && cd "$dir/_native" &&
        ../configure --disable-tcl --disable-readline --disable-editline >configure.log 2>&1 &&
        run_nice make sqlite3.c >make.log 2>&1) ||
        { tail -n 30 "$dir"/_native/*.log >&2; die "building sqlite3 (amalgamation) failed"; }
      run_nice $host-gcc -O2 -shared -DSQLITE_THREADSAFE=1 -DSQLITE_OMIT_LOAD_EXTENSION=1 \
        "$dir/_native/sqlite3.c" -o "$prefix/bin/libsqlite3-0.dll" \
        -Wl,--out-implib,"$prefix/lib/libsqlite3.dll.a" || die "building sqlite3 failed"
      install -m 644 "$dir/_native/sqlite3.h" "$prefix/include/"
      printf 'prefix=%s\nlibdir=${prefix}/lib\nincludedir=${prefix}/include\n\nName: SQLite\nDescription: SQL database engine\nVersion: %s\nLibs: -L${libdir} -lsqlite3\nCflags: -I${includedir}\n' \
        "$prefix" "$(cat "$dir/VERSION")" >"$prefix/lib/pkgconfig/sqlite3.pc"
      ;;
    libsoup3)
      meson_build "$dir" -Dtests=false -Dinstalled_tests=false -Dintrospection=disabled \
        -Dvapi=disabled -Ddocs=disabled -Ddoc_tests=false -Dbrotli=disabled -Dntlm=disabled \
        -Dgssapi=disabled -Dsysprof=disabled -Dtls_check=false -Dautobahn=disabled \
        -Dpkcs11_tests=disabled
      ;;
    json-glib)
      meson_build "$dir" -Dintrospection=disabled -Dgtk_doc=disabled -Dman=false -Dtests=false
      ;;
    qrencode)
      # A static library (its CMake installs a DLL into lib/, off WINEPATH).
      cmake_build "$dir" -DWITH_TOOLS=NO -DWITHOUT_PNG=YES -DWITH_TESTS=NO -DBUILD_SHARED_LIBS=NO \
        -DCMAKE_DISABLE_FIND_PACKAGE_Threads=ON
      ;;
  esac
}

build_deps() {
  mkdir -p "$prefix/lib/pkgconfig" "$prefix/include" "$prefix/bin"
  work=$cache/work
  mkdir -p "$work"
  printf "[constants]\nprefix = '%s'\n" "$prefix" >"$work/prefix.ini"

  if [[ ! -f "$prefix/.stamp-intl" ]]; then
    log "libintl stand-in"
    $host-gcc -O2 -Wall -c "$here/intl/intl.c" -o "$work/intl.o"
    $host-ar rcs "$prefix/lib/libintl.a" "$work/intl.o"
    install -m 644 "$here/intl/libintl.h" "$prefix/include/"
    touch "$prefix/.stamp-intl"
  fi
  local pkg start
  for pkg in "${packages[@]}"; do
    [[ -f "$prefix/.stamp-$pkg" ]] && continue
    start=$SECONDS
    log "$pkg from $(basename "${sources[$pkg]}")"
    build_package "$pkg"
    rm -rf "${work:?}/$pkg"
    touch "$prefix/.stamp-$pkg"
    log "$pkg: $((SECONDS - start)) s"
  done
  touch "$prefix/.complete"
}

