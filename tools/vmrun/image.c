// SPDX-License-Identifier: GPL-2.0-only
/* Reading a guest image file into host memory. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"

int image_read(struct image *img, const char *path, size_t max, struct err *e)
{
	struct stat st;
	size_t done = 0;
	ssize_t n;
	int fd, ret;

	img->data = NULL;
	img->size = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		ret = err_set(e, errno, "%s: %s", path, strerror(errno));
		goto err_close;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = err_set(e, EINVAL, "%s: not a regular file", path);
		goto err_close;
	}
	if ((uint64_t)st.st_size > max) {
		ret = err_set(e, EFBIG, "%s: %lld bytes do not fit in %zu bytes of guest RAM",
			      path, (long long)st.st_size, max);
		goto err_close;
	}
	img->data = malloc(st.st_size ? st.st_size : 1);
	if (!img->data) {
		ret = err_set(e, ENOMEM, "%s: out of memory", path);
		goto err_close;
	}
	while (done < (size_t)st.st_size) {
		n = read(fd, img->data + done, st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = err_set(e, n < 0 ? errno : EIO, "%s: %s", path,
				      n < 0 ? strerror(errno) : "file shrank while reading");
			goto err_free;
		}
		done += n;
	}
	img->size = done;
	close(fd);
	return 0;

err_free:
	free(img->data);
	img->data = NULL;
err_close:
	close(fd);
	return ret;
}

void image_free(struct image *img)
{
	free(img->data);
	img->data = NULL;
	img->size = 0;
}
